#include "daemon/service/service.h"

#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <array>
#include <future>

#include "common/exit_codes.h"
#include "daemon/alerts/alert_channels.h"
#include "daemon/alerts/alert_command.h"
#include "daemon/alerts/alert_deliverer.h"
#include "daemon/api/notify_deliverer.h"
#include "daemon/merchants/certificate_refresher.h"
#include "daemon/metrics/database_gauges.h"
#include "daemon/metrics/metrics.h"
#include "daemon/metrics/metrics_server.h"
#include "daemon/process/database_access.h"
#include "daemon/process/logging.h"
#include "daemon/process/open_database.h"
#include "daemon/process/signal_events.h"
#include "daemon/service/api_service.h"
#include "daemon/service/service_setup.h"
#include "daemon/workflow/engine.h"
#include "storage/migrator.h"
#include "storage/storage_probe.h"
#include "wechatpay/curl_transport.h"

namespace customsd {
namespace {

// The alert of a database that takes no writes: it cannot go to the outbox, which is in it.
PendingAlert StorageAlert(const std::string& path, const std::string& reason, int64_t now) {
  PendingAlert a;
  a.cause = "database_unwritable";
  a.summary = "the database " + path + " takes no writes (" + reason +
              "): customsd sends nothing to WeChat Pay until it does, and resumes by itself. "
              "Free disk space, or fix the file's owner and mode (see 'customsd check')";
  a.created_at = now;
  return a;
}

std::string StatusLine(Engine& engine, DeclarationStore& store) {
  if (!engine.storage().ready()) {
    return "database not writable: " + engine.storage().reason() + "; waiting for it";
  }
  std::string line = std::to_string(engine.running()) + " requests running";
  // Index-only counts: the status is refreshed every few seconds and must stay cheap with
  // millions of settled rows (a GROUP BY over the table is not).
  auto unfinished =
      store.CountInPhases({Phase::kSubmit, Phase::kPoll, Phase::kModify, Phase::kRedeclare});
  auto attention = store.CountInPhases({Phase::kAttention});
  if (unfinished.ok() && attention.ok()) {
    line += ", " + std::to_string(*unfinished) + " unfinished, " + std::to_string(*attention) +
            " need attention";
  }
  if (size_t held = engine.holds().size(); held > 0) {
    line += ", " + std::to_string(held) + " merchant(s) held";
  }
  return line;
}

}  // namespace

int RunService(const ServiceOptions& options, const Clock& clock, ServiceNotifier& notifier) {
  // glibc gives a thread arena's free top back to the kernel once it passes 128 KB; a thread
  // that commits a batch of writes grows and frees about that much per batch, so each batch paid
  // for an madvise and a fresh page fault per page (a sixth of the daemon's CPU in the benchmark).
  // Keeping up to 4 MB per arena costs little RSS and ends that churn.
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  // Before any thread exists, so every thread inherits the blocked signals.
  auto signals = SignalEvents::Create();
  if (!signals.ok()) {
    spdlog::critical("{}", signals.status().message());
    return kExitFailure;
  }
  auto wakeup = Wakeup::Create();
  if (!wakeup.ok()) {
    spdlog::critical("{}", wakeup.status().message());
    return kExitFailure;
  }

  auto config = LoadConfig(options.config_path);
  if (!config.ok()) {
    spdlog::critical("{}", config.status().message());
    return ExitCodeFor(config.status());
  }
  if (Status s = SetUpLogging(config->log.level); !s.ok()) {
    spdlog::critical("{}", s.message());
    return kExitUsage;
  }
  spdlog::info("customsd starting: config {}, database {}", config->source_path,
               config->database.path);

  auto db = OpenDatabaseFor(*config, OpenMode::kCreateAndMigrate, /*quick_check=*/false);
  if (!db.ok()) {
    spdlog::critical("{}", UnwritableDatabaseMessage(config->database.path, db.status()));
    return kExitFailure;
  }
  // PRAGMA quick_check reads the whole file: seconds at a million rows. It runs on a
  // connection of its own beside the start-up, so READY is not held back; a damaged database
  // stops the daemon as soon as the check says so.
  Wakeup* wake = wakeup->get();
  std::future<Status> quick_check =
      std::async(std::launch::async, [path = config->database.path, wake] {
        DatabaseOptions options;
        options.create = false;
        auto checked = Database::Open(path, options);  // runs quick_check
        wake->Notify();
        return checked.ok() ? Status::Ok() : checked.status();
      });
  // A file the service user may read but not write opens read-only without a word, and would
  // pass every read: prove a write before anything else.
  if (Status s = ProbeWrite(**db, UnixMillis(clock.Now())); !s.ok()) {
    spdlog::critical("{}", UnwritableDatabaseMessage(config->database.path, s));
    return kExitFailure;
  }
  {
    DeclarationStore store(**db, clock);
    LogRecoveredAttempts(store);
  }

  CurlTransportOptions transport_options;
  transport_options.ca_file = config->wechatpay.ca_file;
  transport_options.timeout = config->wechatpay.timeout;
  CurlTransport transport(transport_options);
  CertificateCache cache(**db);
  MerchantDirectory merchants;
  std::vector<std::string> mchids;  // the metrics' mchid label values
  for (const MerchantConfig& m : config->merchants) mchids.push_back(m.mchid);
  Metrics metrics(clock.Now(), std::move(mchids));
  if (Status s = LoadMerchants(*config, transport, clock, cache, merchants, &metrics); !s.ok()) {
    spdlog::critical("{}", s.message());
    return ExitCodeFor(s);
  }

  Engine engine(EngineOptionsFromConfig(*config), SettingsFromConfig(*config), **db,
                WorkerDatabaseFactory(config->database.path), ClientsOf(merchants), clock);
  // Refresh before READY, so a first start verifies from its first request; a failure is
  // not fatal: cached keys may still serve, and the refresher keeps trying.
  engine.set_observer(&metrics);

  // Metrics and health, when metrics.listen is set. Healthy = the main loop turned within the
  // last minute and the database answers.
  Heartbeat heartbeat;
  heartbeat.Beat(clock.Now());
  std::unique_ptr<DatabaseGauges> gauges;
  std::unique_ptr<MetricsServer> metrics_server;
  if (!config->metrics.listen.empty()) {
    auto opened = DatabaseGauges::Open(config->database.path, clock);
    if (!opened.ok()) {
      spdlog::critical("{}", opened.status().message());
      return kExitFailure;
    }
    gauges = std::move(opened).value();
    DatabaseGauges* g = gauges.get();
    metrics_server = std::make_unique<MetricsServer>(
        std::vector<const prometheus::Collectable*>{&metrics, g},
        [&heartbeat, &clock, g, &engine]() -> Status {
          CUSTOMSD_RETURN_IF_ERROR(
              heartbeat.Check(clock.Now(), std::chrono::seconds(60), "main loop"));
          if (!engine.storage().ready()) {
            return Status::Unavailable("database not writable: " + engine.storage().reason());
          }
          return g->CheckReadable();
        });
    auto port = metrics_server->Start(config->metrics.listen);
    if (!port.ok()) {
      spdlog::critical("{}", port.status().message());
      return ExitCodeFor(port.status());
    }
    spdlog::info("metrics on {} (/metrics, /healthz)", config->metrics.listen);
  }

  // Alerts go out on their own thread, connection and transport (system CAs; a webhook is not
  // WeChat), so a slow receiver never holds up the workflow.
  auto alerts_db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  auto alert_runner = SpawnCommandRunner::Create();
  if (!alerts_db.ok() || !alert_runner.ok()) {
    spdlog::critical("cannot start alert delivery: {}", alerts_db.ok()
                                                            ? alert_runner.status().message()
                                                            : alerts_db.status().message());
    return kExitFailure;
  }
  auto channels = OpenAlertChannels(config->alerts, clock);
  if (!channels.ok()) {
    spdlog::critical("cannot start alert delivery: {}", channels.status().message());
    return ExitCodeFor(channels.status());
  }
  CurlTransport alert_transport(CurlTransportOptions{});
  SeededRandom alert_random(static_cast<uint64_t>(UnixMillis(clock.Now())));
  channels->options.database_writable = [&engine] { return engine.storage().writable(); };
  AlertDeliverer deliverer(**alerts_db, config->alerts, alert_transport, clock, alert_random,
                           **alert_runner, channels->options);
  deliverer.Start();
  // On a worker's thread, the moment a write fails or a probe succeeds.
  engine.storage().set_listener([&](const StorageHealth::Change& change) {
    metrics.OnStorageChanged(change.writable);
    if (!change.writable && change.new_episode) {
      deliverer.SendWithoutDatabase(
          StorageAlert(config->database.path, change.reason, UnixMillis(clock.Now())));
    }
  });

  // Result notifications ([[notify]]): their own thread and connection, the alerts' transport.
  auto notify_db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  auto receivers = ReceiversFromConfig(*config);
  if (!notify_db.ok() || !receivers.ok()) {
    spdlog::critical("cannot start notifications: {}",
                     notify_db.ok() ? receivers.status().message() : notify_db.status().message());
    return notify_db.ok() ? ExitCodeFor(receivers.status()) : kExitFailure;
  }
  NotifyDeliverer notifications(**notify_db, alert_transport, clock, alert_random,
                                std::move(receivers).value());
  notifications.Start();

  std::optional<CertificateRefresher> refresher;
  refresher.emplace(merchants, clock);
  refresher->RefreshAllIfDue();
  if (Status s = engine.StartWorkers([wake](bool dispatch_useful) {
        if (dispatch_useful) wake->Notify();
      }); !s.ok()) {
    spdlog::critical("cannot start workers: {}", s.message());
    return kExitFailure;
  }
  // The API after the workers, so what it stores is picked up at once.
  auto api = ApiService::Start(
      *config, clock, [wake] { wake->Notify(); }, *engine.writer(), engine.holds());
  if (!api.ok()) {
    spdlog::critical("{}", api.status().message());
    (void)engine.StopWorkers(std::chrono::milliseconds(0));
    engine.JoinWorkers();
    deliverer.Stop();
    return ExitCodeFor(api.status());
  }
  DeclarationStore store(**db, clock);
  notifier.Ready();
  notifier.Status(StatusLine(engine, store));
  spdlog::info("customsd ready: {} merchant(s), up to {} requests in flight, {} requests/s",
               config->merchants.size(), config->wechatpay.max_in_flight,
               config->wechatpay.requests_per_second);

  std::chrono::milliseconds watchdog_every{std::chrono::seconds(10)};
  if (auto interval = notifier.WatchdogInterval()) {
    watchdog_every = std::chrono::duration_cast<std::chrono::milliseconds>(*interval / 2);
  }
  auto last_status = std::chrono::steady_clock::now();
  int exit_code = kExitOk;
  const std::array<int, 2> fds = {(*signals)->fd(), wake->fd()};
  for (bool running = true; running;) {
    std::chrono::milliseconds wait = std::min(engine.Dispatch(), watchdog_every);
    auto ready = WaitForEvents(fds, wait);
    if (!ready.ok()) {
      spdlog::error("main loop: {}", ready.status().message());
      break;
    }
    wake->Drain();
    notifications.Wake();  // a finished job may have settled a declaration
    if (quick_check.valid() &&
        quick_check.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      if (Status s = quick_check.get(); !s.ok()) {
        spdlog::critical("{}; stopping (restore a backup: see README)", s.message());
        exit_code = kExitFailure;
        running = false;
      } else {
        spdlog::info("database quick_check ok");
      }
    }
    while (auto sig = (*signals)->Read()) {
      if (*sig == SIGHUP) {
        notifier.Reloading();
        ReloadService(options.config_path, *config, transport, clock, cache, merchants, &metrics);
        if (*api) (*api)->ReloadTokens();
        notifier.Ready();
      } else {
        spdlog::info("received {}, stopping", *sig == SIGTERM ? "SIGTERM" : "SIGINT");
        running = false;
      }
    }
    notifier.Watchdog();
    heartbeat.Beat(clock.Now());
    if (std::chrono::steady_clock::now() - last_status > std::chrono::seconds(5)) {
      notifier.Status(StatusLine(engine, store));
      last_status = std::chrono::steady_clock::now();
    }
  }

  notifier.Stopping();
  api->reset();  // no new work while the workers finish
  const int still_running = engine.StopWorkers(options.shutdown_bound);
  if (still_running > 0) {
    spdlog::warn(
        "{} requests still running after {} ms; aborting them (recorded as unknown, "
        "checked on the next start)",
        still_running, options.shutdown_bound.count());
    transport.AbortAll();
  }
  engine.JoinWorkers();
  // After the workers, so alerts from their last jobs still get their chance; a webhook call
  // in progress is cut short.
  alert_transport.AbortAll();
  deliverer.Stop();
  notifications.Stop();
  refresher.reset();
  if (metrics_server) metrics_server->Stop();
  if (quick_check.valid()) quick_check.wait();
  spdlog::info("customsd stopped");
  return exit_code;
}

}  // namespace customsd
