package io.shepherd.host.logs;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.Config;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The log forwarder of one member ({@code /user/log-forwarder}): drains the JVM's {@link LogBuffer}
 * into numbered batches for the log server, with at most {@code max-in-flight} batches
 * unacknowledged. The server acknowledges a batch once it has written and streamed its records;
 * until then the batch is kept, and sent again to the next log server after a Manager failover,
 * or to the same one if no acknowledgement comes for {@code resend-after}. So records are not lost
 * to Artery's outbound queue, which drops what overflows, nor to a failover; the server removes
 * duplicates by sequence number.
 *
 * <p>Supervision: restarted on failure (the buffer and its numbering live outside the actor).
 */
public final class LogForwarder extends AbstractBehavior<LogForwarder.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  private enum Wake implements Command { INSTANCE }

  private enum Tick implements Command { INSTANCE }

  private record ServerListing(Receptionist.Listing listing) implements Command {}

  private record Acked(LogProtocol.Ack ack) implements Command {}

  private record InFlight(LogProtocol.LogBatch batch, long lastSeq) {}

  /** How many records a batch holds at most, and about how many bytes. */
  public record Settings(int batchRecords, int batchBytes, int maxInFlight, Duration resendAfter, Duration tick) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("shepherd.logs.forwarder");
      return new Settings(c.getInt("batch-records"), (int) c.getBytes("batch-size").longValue(), c.getInt("max-in-flight"),
          c.getDuration("resend-after"), c.getDuration("tick"));
    }
  }

  private final LogBuffer buffer;
  private final String source;
  private final Settings settings;
  private final ActorRef<LogProtocol.Ack> ackAdapter;
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private ActorRef<LogProtocol.Command> server;
  private long lastProgress = System.nanoTime();

  /**
   * @param source the name of this member incarnation in every record, e.g. {@code daq1@127.0.0.1:2552#-4711}
   */
  public static Behavior<Command> create(LogBuffer buffer, String source, Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LogForwarder(ctx, timers, buffer, source, settings)));
  }

  private LogForwarder(ActorContext<Command> ctx, TimerScheduler<Command> timers, LogBuffer buffer, String source, Settings settings) {
    super(ctx);
    this.buffer = buffer;
    this.source = source;
    this.settings = settings;
    this.ackAdapter = ctx.messageAdapter(LogProtocol.Ack.class, Acked::new);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(LogProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, ServerListing::new)));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
    ActorRef<Command> self = ctx.getSelf();
    buffer.onRecords(() -> self.tell(Wake.INSTANCE));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wake.class, m -> pump())
        .onMessage(Tick.class, m -> onTick())
        .onMessage(ServerListing.class, this::onServerListing)
        .onMessage(Acked.class, this::onAcked)
        .build();
  }

  private Behavior<Command> onServerListing(ServerListing listing) {
    Set<ActorRef<LogProtocol.Command>> servers = listing.listing().getServiceInstances(LogProtocol.SERVICE_KEY);
    ActorRef<LogProtocol.Command> next = servers.stream().filter(s -> s.equals(server)).findFirst()
        .orElse(servers.stream().findFirst().orElse(null));
    if (next != null && !next.equals(server)) {
      server = next;
      // A new log server (a Manager failover): it has none of what the old one did not acknowledge.
      resendAll();
    } else if (next == null) {
      server = null;
    }
    return pump();
  }

  private Behavior<Command> onAcked(Acked acked) {
    long upTo = acked.ack().upTo();
    boolean progress = false;
    while (!inFlight.isEmpty() && inFlight.peek().lastSeq() <= upTo) {
      inFlight.poll();
      progress = true;
    }
    if (progress) {
      lastProgress = System.nanoTime();
    }
    return pump();
  }

  private Behavior<Command> onTick() {
    if (!inFlight.isEmpty() && server != null && System.nanoTime() - lastProgress > settings.resendAfter().toNanos()) {
      resendAll();
    }
    return pump();
  }

  private void resendAll() {
    lastProgress = System.nanoTime();
    if (server != null) {
      inFlight.forEach(f -> server.tell(f.batch()));
    }
  }

  /** Sends batches while the window allows and records wait. */
  private Behavior<Command> pump() {
    while (server != null && inFlight.size() < settings.maxInFlight()) {
      long dropped = buffer.takeDropped();
      if (dropped > 0) {
        long now = Instant.now().toEpochMilli() * 1000;
        buffer.addReport(now, "dropped " + dropped
            + " log records: the log buffer of this member was full (the log server was unreachable or too slow)");
      }
      List<LogBuffer.Entry> entries = buffer.drain(settings.batchRecords(), settings.batchBytes());
      if (entries.isEmpty()) {
        break;
      }
      List<LogRecord> records = new ArrayList<>(entries.size());
      entries.forEach(e -> records.add(e.withSource(source)));
      LogProtocol.LogBatch batch = new LogProtocol.LogBatch(source, entries.get(0).seq(), records, dropped, ackAdapter);
      if (inFlight.isEmpty()) {
        lastProgress = System.nanoTime();
      }
      inFlight.add(new InFlight(batch, entries.get(entries.size() - 1).seq()));
      server.tell(batch);
    }
    return this;
  }
}
