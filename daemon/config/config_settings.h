// Every setting of a Config as "key" -> "value" text, keyed as the TOML file spells it
// ("poll.initial_interval", "alerts.email.to", "merchants[1230000109].serial_no").
//
// One list of the settings, so that whatever compares two configs (a reload reporting what it
// applied and what waits for a restart) cannot miss one:
// tests/daemon/config/config_settings_test.cc holds it against every key of
// systemd/customsd.toml.example.
//
// Secrets never appear: the key files are named by path, their contents are not read.
#pragma once

#include <map>
#include <string>

#include "daemon/config/config.h"

namespace customsd {

using ConfigSettings = std::map<std::string, std::string>;

ConfigSettings SettingsOf(const Config& config);

// Whether a running daemon applies `key` on SIGHUP (log.level, the merchants' keys and
// certificates, and [declare], which only the declare command reads); every other setting
// takes effect on restart.
bool AppliedOnReload(const std::string& key);

}  // namespace customsd
