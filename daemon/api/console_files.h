// The web console's static files (daemon/console/: index.html, console.js, console.css),
// embedded at build time so `customsd run` needs nothing beside its binary to serve them.
//
// The console is dependency-free on purpose: three hand-written files and no vendored library
// or Node build, so what runs in the browser is what is in the repository, it passes a
// `default-src 'self'` Content-Security-Policy, and an audit reads three files.
//
// Contract: FindConsoleFile() maps a request path under /console/ to its file ("/console/"
// is index.html); any other path is nullopt. The files hold no data: the page asks the /v1/ API
// for everything, with the token the operator pasted.
#pragma once

#include <optional>
#include <string_view>

namespace customsd {

std::string_view ConsoleIndexHtml();
std::string_view ConsoleScript();
std::string_view ConsoleStyle();

struct ConsoleFile {
  std::string_view content_type;
  std::string_view body;
};

std::optional<ConsoleFile> FindConsoleFile(std::string_view path);

// The headers every console answer carries: the page may load only its own files and talk only
// to its own origin, may not be framed, and sends no Referer (it carries declaration ids).
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

}  // namespace customsd
