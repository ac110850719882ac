package io.shepherd.api.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.stream.BoundedSourceQueue;
import akka.util.ByteString;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code /api/v1/logs/stream} of the API: subscribes to the log server with the stream's
 * filter and writes each record as a Server-Sent Event ({@code event: log}, {@code id:} its time in
 * microseconds) into the stream's bounded queue. It follows the log server across a Manager
 * failover, subscribing to the next one with a little overlap and dropping the records it has
 * already sent by their source and number. A stream that cannot keep up is ended (its client
 * resumes with {@code since}); records the server dropped for it arrive as one WARN record.
 */
public final class LogStreamer extends AbstractBehavior<Object> {

  /** Stop streaming: the client went away. */
  public enum Stop implements NoSerializationVerificationNeeded { INSTANCE }

  private record Listing(Receptionist.Listing listing) implements NoSerializationVerificationNeeded {}

  private enum Absent implements NoSerializationVerificationNeeded { INSTANCE }

  /** While there is no log server, the stream hears so this often (a client gives up after its timeout). */

  /** The overlap asked of a new server, for the records the old one had not streamed yet. */
  private static final long OVERLAP_MICROS = 5_000_000;

  private final LogFilter filter;
  private final BoundedSourceQueue<ByteString> queue;
  private final ActorRef<LogProtocol.Delivery> deliveries;
  private final Map<String, Long> lastSeq = new HashMap<>();
  private ActorRef<LogProtocol.Command> server;
  private long lastMicros;

  private final TimerScheduler<Object> timers;
  private final Duration absentEvery;

  /**
   * @param absentEvery how often the client is told again that no log server is there, while none is
   */
  public static Behavior<Object> create(LogFilter filter, BoundedSourceQueue<ByteString> queue, Duration absentEvery) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LogStreamer(ctx, timers, filter, queue, absentEvery)));
  }

  private LogStreamer(ActorContext<Object> ctx, TimerScheduler<Object> timers, LogFilter filter,
                      BoundedSourceQueue<ByteString> queue, Duration absentEvery) {
    super(ctx);
    this.timers = timers;
    this.absentEvery = absentEvery;
    this.filter = filter;
    this.queue = queue;
    this.deliveries = ctx.getSelf().narrow();
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(LogProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listing.class, this::onListing)
        .onMessage(LogProtocol.Delivery.class, this::onDelivery)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessageEquals(Absent.INSTANCE, () -> tellServer(false) ? this : Behaviors.stopped())
        .onSignal(PostStop.class, signal -> {
          if (server != null) {
            server.tell(new LogProtocol.Unsubscribe(deliveries));
          }
          queue.complete();
          return this;
        })
        .build();
  }

  private Behavior<Object> onListing(Listing listing) {
    Set<ActorRef<LogProtocol.Command>> servers = listing.listing().getServiceInstances(LogProtocol.SERVICE_KEY);
    if (server != null && servers.contains(server)) {
      return this;
    }
    server = servers.isEmpty() ? null : servers.iterator().next();
    if (server == null) {
      timers.startTimerWithFixedDelay(Absent.INSTANCE, absentEvery);
      return tellServer(false) ? this : Behaviors.stopped();
    }
    timers.cancel(Absent.INSTANCE);
    if (!tellServer(true)) {
      return Behaviors.stopped();
    }
    if (server != null) {
      Long since = lastMicros == 0 ? filter.sinceMicros() : Long.valueOf(Math.max(lastMicros - OVERLAP_MICROS,
          filter.sinceMicros() == null ? 0 : filter.sinceMicros()));
      server.tell(new LogProtocol.Subscribe(new LogFilter(filter.node(), filter.minLevel(), since), deliveries));
    }
    return this;
  }

  private Behavior<Object> onDelivery(LogProtocol.Delivery delivery) {
    if (delivery.dropped() > 0) {
      long now = Instant.now().toEpochMilli() * 1000;
      LogRecord warning = new LogRecord("api", 0, now, LogLevel.WARN, null, "shepherd.logs", "log-stream", delivery.dropped()
          + " log records were dropped for this stream: it fell behind", null);
      if (!offer(warning)) {
        return Behaviors.stopped();
      }
    }
    for (LogRecord record : delivery.records()) {
      Long seen = lastSeq.get(record.source());
      if (seen != null && record.seq() <= seen) {
        continue;
      }
      lastSeq.put(record.source(), record.seq());
      lastMicros = Math.max(lastMicros, record.micros());
      if (!offer(record)) {
        return Behaviors.stopped();
      }
    }
    delivery.server().tell(new LogProtocol.Delivered(deliveries, delivery.number()));
    return this;
  }

  /** Tells the stream whether a log server is there ({@code event: server}). */
  private boolean tellServer(boolean present) {
    return queue.offer(Sse.event(null, "server", Map.of("logServer", present))).isEnqueued();
  }

  private boolean offer(LogRecord record) {
    return queue.offer(Sse.event(Long.toString(record.micros()), "log", record)).isEnqueued();
  }
}
