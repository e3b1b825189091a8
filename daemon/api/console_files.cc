#include "daemon/api/console_files.h"

namespace customsd {

std::optional<ConsoleFile> FindConsoleFile(std::string_view path) {
  if (path == "/console/" || path == "/console/index.html") {
    return ConsoleFile{"text/html; charset=utf-8", ConsoleIndexHtml()};
  }
  if (path == "/console/console.js") {
    return ConsoleFile{"text/javascript; charset=utf-8", ConsoleScript()};
  }
  if (path == "/console/console.css") return ConsoleFile{"text/css; charset=utf-8", ConsoleStyle()};
  return std::nullopt;
}

}  // namespace customsd
