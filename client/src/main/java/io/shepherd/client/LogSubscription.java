package io.shepherd.client;

import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A live subscription to the cluster's log records ({@link ShepherdClient#subscribeLogs}). Records
 * reach the consumer in time order, each once, across a reconnection and a Manager failover too: on
 * reconnecting it asks for the records from a little before the last one it saw and drops those it
 * has already delivered, by their source and number. A consumer slower than the stream is never
 * waited for by the cluster: records are dropped for it, and it is told how many.
 */
public final class LogSubscription implements AutoCloseable {

  /** The overlap asked for on reconnecting, for records the server had not streamed yet. */
  private static final long OVERLAP_MICROS = 5_000_000;

  private final SseStream stream;
  private final Map<String, Long> lastSeq = new HashMap<>();
  private final Unreadable unreadable = new Unreadable("a log record");
  private volatile long lastMicros;
  private long serverAbsentSince;

  LogSubscription(Http http, LogFilter filter, Consumer<LogRecord> consumer, Duration giveUpAfter,
                  Consumer<ShepherdException> onFailed) {
    this.stream = new SseStream(http, "shepherd-logs", lastId -> "/api/v1/logs/stream" + query(filter, lastMicros == 0
        ? filter.sinceMicros() : Long.valueOf(Math.max(lastMicros - OVERLAP_MICROS, filter.sinceMicros() == null ? 0
            : filter.sinceMicros()))),
        new SseStream.Listener() {
          @Override
          public void onEvent(SseStream.SseEvent event) {
            if (event.type().equals("server")) {
              onServer(event.data().contains("\"logServer\":true"), giveUpAfter);
              return;
            }
            if (!event.type().equals("log")) {
              return;
            }
            LogRecord record;
            try {
              record = http.json().readValue(event.data(), LogRecord.class);
            } catch (IOException e) {
              unreadable.skipped(e);
              return;
            }
            Long seen = lastSeq.get(record.source());
            if (seen != null && record.seq() <= seen && record.seq() > 0) {
              return;
            }
            lastSeq.put(record.source(), record.seq());
            lastMicros = Math.max(lastMicros, record.micros());
            consumer.accept(record);
          }

          @Override
          public void onFailed(ShepherdException error) {
            if (onFailed != null) {
              onFailed.accept(error);
            }
          }
        }, giveUpAfter).start();
  }

  /** How many records were skipped because this client cannot read them (a newer member's values); 0 normally. */
  public long unreadable() {
    return unreadable.count();
  }

  /** Waits until the stream is connected (records from then on are delivered); false if it was not within {@code timeout}. */
  public boolean awaitConnected(Duration timeout) {
    return stream.awaitConnected(timeout);
  }

  /** The API member says whether it reaches a log server; with none for {@code giveUpAfter}, the subscription gives up. */
  private void onServer(boolean present, Duration giveUpAfter) {
    if (present) {
      serverAbsentSince = 0;
      return;
    }
    long now = System.nanoTime();
    if (serverAbsentSince == 0) {
      serverAbsentSince = now;
    } else if (giveUpAfter != null && now - serverAbsentSince > giveUpAfter.toNanos()) {
      stream.fail(new ShepherdException.NoManagerReachable("no log server for " + giveUpAfter.toSeconds() + " s: it runs with the "
          + "Manager, and no Manager has been running (is a member with role manager up?)"));
    }
  }

  /** The query of a log filter: node, level and since (microseconds, as an ISO instant). */
  static String query(LogFilter filter, Long sinceMicros) {
    Map<String, String> params = new TreeMap<>();
    params.put("node", filter.node() == null ? "" : filter.node());
    params.put("level", filter.minLevel() == null ? "" : filter.minLevel().name());
    params.put("since", sinceMicros == null ? "" : Instant.ofEpochSecond(sinceMicros / 1_000_000,
        (sinceMicros % 1_000_000) * 1000).toString());
    String query = Calls.query(params);
    return query.isEmpty() ? "?" : query;
  }

  /** Ends the subscription; the consumer gets no record afterwards (one in progress finishes). */
  @Override
  public void close() {
    stream.close();
  }

  /** Waits until the subscription has ended (closed, or given up). */
  public void join() throws InterruptedException {
    stream.join();
  }
}
