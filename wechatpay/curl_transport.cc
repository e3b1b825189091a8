#include "wechatpay/curl_transport.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <strings.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

namespace customsd {
namespace {

// Where Debian and most distributions keep the hashed system CAs; set explicitly next to
// ca_file so that naming an extra bundle does not drop the system ones.
constexpr char kSystemCaPath[] = "/etc/ssl/certs";

TransportResult Failure(TransportErrorKind kind, std::string message) {
  TransportResult result;
  result.error = TransportError{kind, std::move(message)};
  return result;
}

// curl_global_init is called once per process, before the first handle is made.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsLoopbackHost(const std::string& host) {
  if (::strcasecmp(host.c_str(), "localhost") == 0) return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
      ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1) {
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  }
  return false;
}

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Url = std::unique_ptr<CURLU, UrlFree>;

std::optional<std::string> UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK) return std::nullopt;
  std::string copy(value);
  curl_free(value);
  return copy;
}

// Parses the URL once; the same parsed handle is given to libcurl (CURLOPT_CURLU), so the host
// checked here is the host connected to. The path is kept as is, since it was signed as is.
std::variant<Url, std::string> ParseUrl(const std::string& text) {
  Url url(curl_url());
  if (url == nullptr) return std::string("out of memory");
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_PATH_AS_IS) != CURLUE_OK) {
    return std::string("URL rejected: not a valid absolute URL");
  }
  const std::optional<std::string> scheme = UrlPart(url.get(), CURLUPART_SCHEME);
  const std::optional<std::string> host = UrlPart(url.get(), CURLUPART_HOST);
  if (!scheme || !host) return std::string("URL rejected: no scheme or host");
  if (*scheme == "https") return url;
  if (*scheme == "http") {
    if (IsLoopbackHost(*host)) return url;
    return std::string("URL rejected: http:// is only allowed to loopback hosts");
  }
  return std::string("URL rejected: only http and https are supported");
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
  });
}

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

bool Append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // curl_slist_append returned the same list, now one longer
  list.reset(grown);
  return true;
}

// The request headers in libcurl's form. Blank "Content-Type:" and "Expect:" lines delete the
// headers libcurl would otherwise add to a body (form encoding, 100-continue). The error text
// names no header: headers carry the signature.
std::variant<Slist, std::string> BuildHeaders(const HttpHeaders& headers) {
  Slist list;
  bool has_content_type = false;
  bool has_expect = false;
  for (const auto& [name, value] : headers) {
    if (!IsToken(name) || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return std::string("request header rejected: invalid name or control character in value");
    }
    has_content_type |= ::strcasecmp(name.c_str(), "Content-Type") == 0;
    has_expect |= ::strcasecmp(name.c_str(), "Expect") == 0;
    // "Name;" is libcurl's spelling of a header with an empty value.
    if (!Append(list, value.empty() ? name + ";" : name + ": " + value)) {
      return std::string("out of memory");
    }
  }
  if ((!has_content_type && !Append(list, "Content-Type:")) ||
      (!has_expect && !Append(list, "Expect:"))) {
    return std::string("out of memory");
  }
  return list;
}

// State of one transfer, filled by libcurl's callbacks.
struct Transfer {
  HttpResponse response;
  size_t max_body = 0;
  bool too_large = false;
  // Set by the pre-request callback: from here on request bytes may be on the wire.
  bool may_be_sent = false;
  char error[CURL_ERROR_SIZE] = {};
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  HttpHeaders& headers = t->response.headers;
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (after a 1xx or a proxy CONNECT): keep only the last
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!headers.empty()) headers.back().second += " " + std::string(Trim(line));  // folded
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                         std::string(Trim(line.substr(colon + 1))));
  }
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (n > t->max_body - t->response.body.size()) {
    t->too_large = true;
    return 0;  // anything but n ends the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

int OnPrerequest(void* user, char*, char*, int, int) {
  Transfer* t = static_cast<Transfer*>(user);
  // libcurl silently sends a request again on a fresh connection when a reused one dies before
  // any answer byte, but the server may already have acted on the first copy (a declare
  // accepted, then the connection reset). A second send is never ours to make: abort it, and
  // the caller sees an unknown outcome and asks before resending.
  if (t->may_be_sent) return CURL_PREREQFUNC_ABORT;
  t->may_be_sent = true;
  return CURL_PREREQFUNC_OK;
}

// One line: libcurl's error buffer when it has text, else the generic text for the code.
std::string Describe(CURLcode code, const char* buffer) {
  std::string text = buffer[0] != '\0' ? buffer : curl_easy_strerror(code);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  text = std::string(Trim(text));
  return text + " (curl error " + std::to_string(static_cast<int>(code)) + ")";
}

// Sets every option of one transfer on a handle in its reset state. The first refused option
// ends it: a request must not go out with, say, verification options missing.
CURLcode Configure(CURL* easy, const CurlTransportOptions& options, CURLSH* share,
                   const HttpRequest& request, CURLU* url, curl_slist* headers, Transfer& t) {
  CURLcode set = CURLE_OK;
  auto opt = [&](CURLoption option, auto value) {
    if (set == CURLE_OK) set = curl_easy_setopt(easy, option, value);
  };
  const std::chrono::milliseconds timeout =
      request.timeout.count() > 0 ? request.timeout : options.timeout;
  opt(CURLOPT_CURLU, url);
  opt(CURLOPT_PROTOCOLS_STR, "http,https");
  opt(CURLOPT_PATH_AS_IS, 1L);
  opt(CURLOPT_NOSIGNAL, 1L);
  opt(CURLOPT_SHARE, share);
  opt(CURLOPT_SSL_VERIFYPEER, 1L);
  opt(CURLOPT_SSL_VERIFYHOST, 2L);
  opt(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options.ca_file.empty()) {
    opt(CURLOPT_CAINFO, options.ca_file.c_str());
    opt(CURLOPT_CAPATH, kSystemCaPath);
  }
  opt(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  opt(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  opt(CURLOPT_TCP_KEEPALIVE, 1L);
  opt(CURLOPT_USERAGENT, options.user_agent.c_str());
  opt(CURLOPT_HTTPHEADER, headers);
  opt(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes));
  opt(CURLOPT_ERRORBUFFER, t.error);
  opt(CURLOPT_HEADERFUNCTION, &OnHeader);
  opt(CURLOPT_HEADERDATA, &t);
  opt(CURLOPT_WRITEFUNCTION, &OnBody);
  opt(CURLOPT_WRITEDATA, &t);
  opt(CURLOPT_PREREQFUNCTION, &OnPrerequest);
  opt(CURLOPT_PREREQDATA, &t);
  if (request.method == "GET" && request.body.empty()) {
    opt(CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    opt(CURLOPT_NOBODY, 1L);
  } else {
    opt(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    opt(CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST") opt(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  return set;
}

}  // namespace

struct CurlTransport::Share {
  CURLSH* handle = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];

  Share() {
    handle = curl_share_init();
    if (handle == nullptr) return;  // handles then simply do not share
    curl_share_setopt(handle, CURLSHOPT_LOCKFUNC, &Share::Lock);
    curl_share_setopt(handle, CURLSHOPT_UNLOCKFUNC, &Share::Unlock);
    curl_share_setopt(handle, CURLSHOPT_USERDATA, this);
    curl_share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~Share() { curl_share_cleanup(handle); }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Share*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Share*>(user)->locks[data].unlock();
  }
};

// Each easy handle runs in a multi handle of its own rather than curl_easy_perform's hidden
// one, because curl_multi_wakeup lets AbortAll interrupt the wait at once. The multi handle
// holds the connection cache, so the slot keeps its connections alive between Sends.
struct CurlTransport::Slot {
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();

  ~Slot() {
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  GlobalInit();
  share_ = std::make_unique<Share>();
}

CurlTransport::~CurlTransport() {
  std::lock_guard lock(mu_);
  all_.clear();
  idle_.clear();  // before share_, which libcurl refuses to free while handles use it
}

std::unique_ptr<CurlTransport::Slot> CurlTransport::Acquire() {
  std::lock_guard lock(mu_);
  if (!idle_.empty()) {
    std::unique_ptr<Slot> slot = std::move(idle_.back());
    idle_.pop_back();
    return slot;
  }
  auto slot = std::make_unique<Slot>();
  if (slot->easy == nullptr || slot->multi == nullptr) return nullptr;
  all_.push_back(slot.get());
  return slot;
}

void CurlTransport::Release(std::unique_ptr<Slot> slot) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(slot));
}

void CurlTransport::AbortAll() {
  aborted_.store(true);
  abort_epoch_.fetch_add(1);
  std::lock_guard lock(mu_);
  for (Slot* slot : all_) curl_multi_wakeup(slot->multi);  // idle ones just wake once later
}

void CurlTransport::Resume() { aborted_.store(false); }

TransportResult CurlTransport::Send(const HttpRequest& request) {
  using enum TransportErrorKind;
  if (!IsToken(request.method)) return Failure(kNotSent, "invalid HTTP method");
  auto url = ParseUrl(request.url);
  if (auto* error = std::get_if<std::string>(&url)) return Failure(kNotSent, *error);
  auto headers = BuildHeaders(request.headers);
  if (auto* error = std::get_if<std::string>(&headers)) return Failure(kNotSent, *error);

  std::unique_ptr<Slot> slot = Acquire();
  if (slot == nullptr) return Failure(kNotSent, "cannot create a libcurl handle");
  // The epoch is read before aborted_ (AbortAll writes them in the other order): either this
  // Send sees aborted_, or a later AbortAll changes the epoch it holds.
  const unsigned epoch = abort_epoch_.load();
  if (aborted_.load()) {
    Release(std::move(slot));
    return Failure(kNotSent, "transport aborted");
  }

  Transfer t;
  t.max_body = options_.max_response_bytes;
  CURL* easy = slot->easy;  // in its reset state: fresh, or reset when last released
  const CURLcode set = Configure(easy, options_, share_->handle, request, std::get<Url>(url).get(),
                                 std::get<Slist>(headers).get(), t);
  if (set != CURLE_OK) {
    curl_easy_reset(easy);
    Release(std::move(slot));
    return Failure(kNotSent, "libcurl option refused: " + Describe(set, ""));
  }

  CURLcode result = CURLE_OK;
  std::optional<std::string> stopped;  // set when the transfer ended without libcurl's verdict
  if (curl_multi_add_handle(slot->multi, easy) != CURLM_OK) {
    curl_easy_reset(easy);
    Release(std::move(slot));
    return Failure(kNotSent, "cannot start a libcurl transfer");
  }
  for (;;) {
    int running = 0;
    CURLMcode code = curl_multi_perform(slot->multi, &running);
    if (code == CURLM_OK && running == 0) break;
    if (code == CURLM_OK && abort_epoch_.load() != epoch) {
      stopped = "aborted";
      break;
    }
    // Waits for the socket, libcurl's own timers (the request timeout) or AbortAll's wakeup.
    if (code == CURLM_OK) code = curl_multi_poll(slot->multi, nullptr, 0, 1000, nullptr);
    if (code != CURLM_OK) {
      stopped = std::string("libcurl: ") + curl_multi_strerror(code);
      break;
    }
  }
  if (!stopped) {
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(slot->multi, &queued)) {
      if (msg->msg == CURLMSG_DONE) result = msg->data.result;
    }
  }
  // Removing an unfinished transfer closes its connection, so nothing of it is read later.
  curl_multi_remove_handle(slot->multi, easy);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_reset(easy);  // drops the pointers into this frame (error buffer, URL, headers)
  Release(std::move(slot));

  const TransportErrorKind kind = t.may_be_sent ? kUnknown : kNotSent;
  if (stopped) return Failure(kind, *stopped);
  if (t.too_large || result == CURLE_FILESIZE_EXCEEDED) {
    return Failure(
        kUnknown, "response larger than " + std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (result != CURLE_OK) return Failure(kind, Describe(result, t.error));
  t.response.status = static_cast<int>(status);
  TransportResult ok;
  ok.response = std::move(t.response);
  return ok;
}

}  // namespace customsd
