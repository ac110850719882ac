package io.shepherd.client;

import io.shepherd.protocol.Api;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** The cluster's log records, from its one log server: streamed, or its newest. From {@link ShepherdClient#logs()}. Thread-safe. */
public final class LogCalls {

  private final Http http;
  private final ClientSettings settings;
  private final Consumer<AutoCloseable> track;

  /** @param track keeps a stream to close with the client */
  LogCalls(Http http, ClientSettings settings, Consumer<AutoCloseable> track) {
    this.http = http;
    this.settings = settings;
    this.track = track;
  }

  /**
   * Streams the cluster's log records that match {@code filter} to {@code consumer}, in time order:
   * first those the log server still holds from the filter's {@code since}, then each new one. The
   * consumer is called on a thread of the subscription's own, one record at a time, each record
   * once, across a reconnection and a Manager failover too. Returns once the stream is connected
   * (within the call timeout): every record from then on arrives.
   *
   * @return the subscription: close it to stop
   */
  public LogSubscription subscribe(LogFilter filter, Consumer<LogRecord> consumer) {
    return subscribe(filter, consumer, null, null);
  }

  /**
   * Like {@link #subscribe(LogFilter, Consumer)}; {@code onFailed} hears once the subscription
   * gives up: the API refused it, or no log server answered for {@code giveUpAfter} (null: never give up).
   */
  public LogSubscription subscribe(LogFilter filter, Consumer<LogRecord> consumer, Duration giveUpAfter,
                                   Consumer<ShepherdException> onFailed) {
    if (filter == null || consumer == null) {
      throw new ShepherdException.InvalidArgument("a filter (LogFilter.all() for everything) and a consumer are required");
    }
    LogSubscription subscription = new LogSubscription(http, filter, consumer, giveUpAfter, onFailed);
    track.accept(subscription);
    subscription.awaitConnected(settings.callTimeout());
    return subscription;
  }

  /**
   * Sets a log level at run time (Architect's {@code set_log_level}): of one node's records
   * ({@code daq1/acq/sine}), of a host ({@code daq1}), or of a logger on every host
   * ({@code logger:io.lab.daq}); {@code level} TRACE, DEBUG, INFO, WARN, ERROR, OFF, or
   * {@code default} to undo it. The hosts' status shows the levels set ({@code logLevels}).
   *
   * @return what was done, once every host concerned has applied it
   */
  public CompletionStage<String> setLevel(String target, String level) {
    if (target == null || target.isBlank() || level == null || level.isBlank()) {
      return Calls.invalid("give a target (a node path, a host id or logger:NAME) and a level (DEBUG, ..., or default)");
    }
    return http.call("POST", Api.PREFIX + "/log-level", new Api.LogLevel(target, level), Api.Answer.class).thenApply(Api.Answer::message);
  }

  /** The newest records the log server holds that match {@code filter}, at most {@code limit} (1 to 10,000), oldest first. */
  public CompletionStage<LogProtocol.Tail> tail(LogFilter filter, int limit) {
    if (filter == null) {
      return Calls.invalid("a filter is required; LogFilter.all() for everything");
    }
    if (limit < 1 || limit > LogProtocol.QueryTail.MAX_LIMIT) {
      return Calls.invalid("a tail has 1 to " + LogProtocol.QueryTail.MAX_LIMIT + " records, not " + limit);
    }
    return http.call("GET", Api.PREFIX + "/logs" + LogSubscription.query(filter, filter.sinceMicros()) + "&limit=" + limit, null,
        LogProtocol.Tail.class);
  }
}
