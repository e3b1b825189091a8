// Checks and reads of the files that hold a merchant's secrets: the private key PEM and the
// APIv3 key. Under systemd these come through LoadCredential= and live in
// $CREDENTIALS_DIRECTORY; ParseConfig has already resolved their paths.
//
// Contract:
//  - A secret file must exist, be a regular file (symlinks to one are followed), be readable,
//    and have no group or other permission bits: 0600 and 0400 pass, 0640 and 0644 do not.
//  - The APIv3 key file holds exactly 32 bytes; one trailing "\n" (or "\r\n") is tolerated and
//    is not part of the key.
//  - The platform public key file only has to exist, be a regular file and be readable: a
//    public key may be world-readable.
//  - Every error is one line naming the config key and the path, never the file's content.
//    Codes: kIoError when the file cannot be opened or read (missing, unreadable),
//    kFailedPrecondition when it is not a regular file or its mode is too open, kInvalidInput
//    when its content has the wrong size.
//  - The check is made on the opened descriptor (fstat), so the file that passed is the file
//    that is read.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/config/config.h"

namespace customsd {

// Checks every merchant's private_key_file, apiv3_key_file and (when set)
// platform_public_key_file, then alerts.webhook_secret_file and alerts.email.password_file
// when set, every [[notify]] secret_file, and api.token_file when the API is on. Stops at the
// first problem.
Status CheckSecretFiles(const Config& config);

// Reads a secret file after the checks above; `key_name` (e.g. "merchant.private_key_file")
// names it in messages.
StatusOr<std::string> ReadSecretFile(const std::string& path, std::string_view key_name);

// ReadSecretFile plus the APIv3 length rule; returns the 32 key bytes without the newline.
StatusOr<std::string> ReadApiV3KeyFile(const std::string& path, std::string_view key_name);

// ReadSecretFile for a one-line secret (a robot's signing secret, an SMTP password): one
// trailing "\n" (or "\r\n") is not part of it; an empty secret is refused.
StatusOr<std::string> ReadLineSecretFile(const std::string& path, std::string_view key_name);

// Reads a public file (no permission rule), e.g. the platform public key.
StatusOr<std::string> ReadPublicFile(const std::string& path, std::string_view key_name);

}  // namespace customsd
