package io.shepherd.manager.logs;

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
import com.typesafe.config.Config;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The log server (pyacq's, without its losses): one per cluster, a child of the Manager
 * ({@code log-server}), on a dispatcher of its own because it writes a file.
 *
 * <p>It takes numbered batches from every member's forwarder, removes duplicates, and counts every
 * gap in a source's numbering (waiting {@code gap-timeout} for a late batch first): a loss is
 * counted, logged as a WARN record and shown in status, never silent. It holds records for the
 * reorder window to order them by time across sources, then writes them to a size-rotated file,
 * keeps a bounded tail in memory, and streams them to subscribers. Only then, and {@code ack-delay}
 * later (so that the deliveries have left before the acknowledgement), does it acknowledge them:
 * a forwarder sends whatever a dead server had not released to the next one. A
 * subscriber that falls behind has records dropped and counted for it alone; nobody waits for it.
 *
 * <p>Supervision: a failure restarts it (the Manager's supervision); forwarders send it what it
 * had not acknowledged again.
 */
public final class LogServer extends AbstractBehavior<LogProtocol.Command> {

  private enum Tick implements LogProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  private record SubscriberGone(ActorRef<LogProtocol.Delivery> subscriber) implements LogProtocol.Command, NoSerializationVerificationNeeded {}

  /** The settings of the log server ({@code shepherd.logs.server}). */
  public record Settings(Duration reorderWindow, Path dir, long maxFileSize, int maxFiles, int tail,
                         Duration gapTimeout, int subscriberWindow, int subscriberBuffer, int deliveryRecords, Duration ackDelay,
                         Duration tick) {

    public static final String DISPATCHER = "shepherd.logs.server.dispatcher";

    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("shepherd.logs.server");
      String dir = c.getString("dir");
      return new Settings(c.getDuration("reorder-window"),
          dir.isBlank() ? Path.of(System.getProperty("user.home"), ".shepherd", "logs") : Path.of(dir),
          c.getBytes("max-file-size"), c.getInt("max-files"), c.getInt("tail"), c.getDuration("gap-timeout"),
          c.getInt("subscriber-window"), c.getInt("subscriber-buffer"), c.getInt("delivery-records"), c.getDuration("ack-delay"),
          c.getDuration("tick"));
    }
  }

  /** An acknowledgement to send once its records have surely left for the subscribers. */
  private record PendingAck(long releasedNanos, Source source, long upTo) {}

  /** A batch that arrived ahead of a missing one, with when it arrived. */
  private record Early(LogProtocol.LogBatch batch, long arrivedNanos) {}

  /** A record waiting in the reorder window, with when it arrived. */
  private record Held(LogRecord record, long arrivedNanos) {}

  private static final Comparator<Held> BY_TIME = Comparator.<Held>comparingLong(h -> h.record().micros())
      .thenComparing(h -> h.record().source()).thenComparingLong(h -> h.record().seq());

  /** What the server knows of one source: what it received, and what it released. */
  private static final class Source {
    final String name;
    ActorRef<LogProtocol.Ack> forwarder;
    long nextSeq;
    /** Batches that arrived ahead of a missing one, by first sequence number, with when they came. */
    final TreeMap<Long, Early> pending = new TreeMap<>();
    /** Released (or lost) records: bit i is sequence number {@code base + i}. */
    BitSet released = new BitSet();
    long base;
    long acked;

    Source(String name, long firstSeq) {
      this.name = name;
      this.nextSeq = firstSeq;
      this.base = firstSeq;
      this.acked = firstSeq - 1;
    }

    void markReleased(long seq) {
      if (seq >= base) {
        released.set((int) (seq - base));
      }
    }

    /** The highest sequence number up to which every record is released. */
    long releasedUpTo() {
      int clear = released.nextClearBit(0);
      if (clear > 1 << 16) {
        released = released.get(clear, Math.max(clear, released.length()));
        base += clear;
        clear = 0;
      }
      return base + clear - 1;
    }
  }

  private static final class Subscriber {
    final LogFilter.Predicate filter;
    long nextNumber = 1;
    long acked;
    long dropped;
    /** Records waiting for the subscriber's window to open: bounded by subscriber-buffer. */
    final ArrayDeque<LogRecord> out = new ArrayDeque<>();

    Subscriber(LogFilter filter) {
      this.filter = filter.matcher();
    }
  }

  private final Settings settings;
  private final ActorRef<LogProtocol.LogStats> statsTo;
  private final Map<String, Source> sources = new HashMap<>();
  private final PriorityQueue<Held> heap = new PriorityQueue<>(BY_TIME);
  private final ArrayDeque<LogRecord> tail = new ArrayDeque<>();
  private final ArrayDeque<PendingAck> acks = new ArrayDeque<>();
  private final Map<ActorRef<LogProtocol.Delivery>, Subscriber> subscribers = new HashMap<>();
  /** The time of the newest record written: one older than it is late. */
  private long lastWrittenMicros;
  private long late;
  private final long windowMicros;
  private final ActorRef<LogProtocol.Command> self;
  private RotatingLogFile file;
  private long records;
  private long gaps;
  private long missing;
  private long dropped;
  private long lastHousekeeping = System.nanoTime();

  /**
   * @param statsTo where the server's counters go every second (the Manager, for status), or null
   */
  public static Behavior<LogProtocol.Command> create(Settings settings, ActorRef<LogProtocol.LogStats> statsTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LogServer(ctx, timers, settings, statsTo)));
  }

  private LogServer(ActorContext<LogProtocol.Command> ctx, TimerScheduler<LogProtocol.Command> timers, Settings settings,
                    ActorRef<LogProtocol.LogStats> statsTo) {
    super(ctx);
    this.settings = settings;
    this.statsTo = statsTo;
    this.windowMicros = settings.reorderWindow().toNanos() / 1000;
    this.self = ctx.getSelf();
    try {
      file = new RotatingLogFile(settings.dir(), settings.maxFileSize(), settings.maxFiles());
      ctx.getLog().info("log server writing to {}", file.current());
    } catch (IOException e) {
      ctx.getLog().error("log server cannot write to {}: {}; it keeps records in memory and streams them only", settings.dir(), e.toString());
    }
    ctx.getSystem().receptionist().tell(Receptionist.register(LogProtocol.SERVICE_KEY, ctx.getSelf()));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
  }

  @Override
  public Receive<LogProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(LogProtocol.LogBatch.class, this::onBatch)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(LogProtocol.Subscribe.class, this::onSubscribe)
        .onMessage(LogProtocol.Unsubscribe.class, m -> onSubscriberGone(new SubscriberGone(m.subscriber())))
        .onMessage(SubscriberGone.class, this::onSubscriberGone)
        .onMessage(LogProtocol.Delivered.class, this::onDelivered)
        .onMessage(LogProtocol.QueryTail.class, this::onQueryTail)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  // ---- intake -----------------------------------------------------------------------------------

  private Behavior<LogProtocol.Command> onBatch(LogProtocol.LogBatch batch) {
    Source source = sources.computeIfAbsent(batch.source(), name -> new Source(name, batch.firstSeq()));
    source.forwarder = batch.replyTo();
    long now = System.nanoTime();
    if (batch.firstSeq() + batch.records().size() - 1 < source.nextSeq) {
      ack(source); // all seen before: a resend after an acknowledgement was lost
    } else if (batch.firstSeq() > source.nextSeq) {
      source.pending.putIfAbsent(batch.firstSeq(), new Early(batch, now));
    } else {
      accept(source, batch, now);
      acceptPending(source, now);
    }
    release(now);
    return this;
  }

  private void accept(Source source, LogProtocol.LogBatch batch, long now) {
    int skip = (int) (source.nextSeq - batch.firstSeq());
    List<LogRecord> list = batch.records();
    for (int i = skip; i < list.size(); i++) {
      heap.add(new Held(list.get(i), now));
    }
    if (skip == 0) {
      dropped += batch.dropped();
    }
    records += list.size() - skip;
    source.nextSeq = batch.firstSeq() + list.size();
  }

  private void acceptPending(Source source, long now) {
    while (!source.pending.isEmpty() && source.pending.firstKey() <= source.nextSeq) {
      LogProtocol.LogBatch batch = source.pending.pollFirstEntry().getValue().batch();
      long first = batch.firstSeq();
      if (first + batch.records().size() - 1 >= source.nextSeq) {
        accept(source, batch, now);
      }
    }
  }

  /** A batch has waited for a missing one for gap-timeout: what is missing is lost; count it and go on. */
  private void declareGaps(long now) {
    for (Source source : sources.values()) {
      if (!source.pending.isEmpty() && now - source.pending.firstEntry().getValue().arrivedNanos() > settings.gapTimeout().toNanos()) {
        long first = source.pending.firstKey();
        long lost = first - source.nextSeq;
        gaps++;
        missing += lost;
        getContext().getLog().warn("lost {} log records of {} (numbers {} to {}): they never arrived", lost, source.name,
            source.nextSeq, first - 1);
        for (long seq = source.nextSeq; seq < first; seq++) {
          source.markReleased(seq);
        }
        source.nextSeq = first;
        acceptPending(source, now);
      }
    }
  }

  // ---- release: order, write, stream, acknowledge ----------------------------------------------------

  private Behavior<LogProtocol.Command> onTick() {
    long now = System.nanoTime();
    release(now);
    if (now - lastHousekeeping > 1_000_000_000L) {
      lastHousekeeping = now;
      declareGaps(now);
      if (statsTo != null) {
        statsTo.tell(stats());
      }
    }
    return this;
  }

  private void release(long now) {
    long cutoff = Instant.now().toEpochMilli() * 1000 - windowMicros;
    long windowNanos = settings.reorderWindow().toNanos();
    Set<Source> progressed = new HashSet<>();
    boolean wrote = false;
    while (!heap.isEmpty() && (heap.peek().record().micros() <= cutoff || now - heap.peek().arrivedNanos() >= windowNanos)) {
      LogRecord record = heap.poll().record();
      // Older than one already written: it came after its window (a member's start-up records, sent
      // once it joined). It is written now, marked, rather than silently out of order.
      String mark = null;
      if (record.micros() < lastWrittenMicros) {
        late++;
        mark = String.format(Locale.ROOT, "LATE(+%.1fs)", (lastWrittenMicros - record.micros()) / 1e6);
      } else {
        lastWrittenMicros = record.micros();
      }
      write(record, mark);
      wrote = true;
      tail.add(record);
      if (tail.size() > settings.tail()) {
        tail.poll();
      }
      for (Subscriber subscriber : subscribers.values()) {
        if (subscriber.filter.test(record)) {
          subscriber.out.add(record);
        }
      }
      Source source = sources.get(record.source());
      if (source != null) {
        source.markReleased(record.seq());
        progressed.add(source);
      }
    }
    if (wrote && file != null) {
      try {
        file.flush();
      } catch (IOException e) {
        fileFailed(e);
      }
    }
    subscribers.forEach(this::deliver);
    for (Source source : progressed) {
      acks.add(new PendingAck(now, source, Math.min(source.releasedUpTo(), source.nextSeq - 1)));
    }
    long ackDelay = settings.ackDelay().toNanos();
    while (!acks.isEmpty() && now - acks.peek().releasedNanos() >= ackDelay) {
      PendingAck due = acks.poll();
      if (due.upTo() > due.source().acked) {
        due.source().acked = due.upTo();
        ack(due.source());
      }
    }
  }

  private void write(LogRecord record, String mark) {
    if (file == null) {
      return;
    }
    try {
      file.write(record, mark);
    } catch (IOException e) {
      fileFailed(e);
    }
  }

  private void fileFailed(IOException e) {
    getContext().getLog().error("log server cannot write to {}: {}; it keeps records in memory and streams them only",
        settings.dir(), e.toString());
    try {
      file.close();
    } catch (IOException ignored) {
      // it failed already
    }
    file = null;
  }

  /** Tells a source's forwarder what it may forget: what was released at least ack-delay ago. */
  private void ack(Source source) {
    if (source.forwarder != null) {
      source.forwarder.tell(new LogProtocol.Ack(source.name, source.acked));
    }
  }

  // ---- subscribers and the tail -----------------------------------------------------------------

  private Behavior<LogProtocol.Command> onSubscribe(LogProtocol.Subscribe subscribe) {
    Subscriber subscriber = new Subscriber(subscribe.filter());
    subscribers.put(subscribe.subscriber(), subscriber);
    getContext().watchWith(subscribe.subscriber(), new SubscriberGone(subscribe.subscriber()));
    if (subscribe.filter().sinceMicros() != null) {
      tail.stream().filter(subscriber.filter).forEach(subscriber.out::add);
    }
    deliver(subscribe.subscriber(), subscriber);
    return this;
  }

  private Behavior<LogProtocol.Command> onSubscriberGone(SubscriberGone gone) {
    subscribers.remove(gone.subscriber());
    return this;
  }

  private Behavior<LogProtocol.Command> onDelivered(LogProtocol.Delivered delivered) {
    Subscriber subscriber = subscribers.get(delivered.subscriber());
    if (subscriber != null && delivered.number() > subscriber.acked) {
      subscriber.acked = delivered.number();
      deliver(delivered.subscriber(), subscriber);
    }
    return this;
  }

  /**
   * Sends what a subscriber has waiting, in chunks, while its window allows; what does not fit in
   * its buffer is dropped (the oldest first) and counted, to be told with its next delivery.
   */
  private void deliver(ActorRef<LogProtocol.Delivery> ref, Subscriber subscriber) {
    while (!subscriber.out.isEmpty() && subscriber.nextNumber - 1 - subscriber.acked < settings.subscriberWindow()) {
      List<LogRecord> chunk = new ArrayList<>(Math.min(subscriber.out.size(), settings.deliveryRecords()));
      while (!subscriber.out.isEmpty() && chunk.size() < settings.deliveryRecords()) {
        chunk.add(subscriber.out.poll());
      }
      ref.tell(new LogProtocol.Delivery(subscriber.nextNumber++, chunk, subscriber.dropped, self));
      subscriber.dropped = 0;
    }
    while (subscriber.out.size() > settings.subscriberBuffer()) {
      subscriber.out.poll();
      subscriber.dropped++;
    }
  }

  private Behavior<LogProtocol.Command> onQueryTail(LogProtocol.QueryTail query) {
    LogFilter.Predicate filter = query.filter().matcher();
    ArrayDeque<LogRecord> matching = new ArrayDeque<>();
    for (LogRecord record : tail) {
      if (filter.test(record)) {
        matching.add(record);
        if (matching.size() > query.limit()) {
          matching.poll();
        }
      }
    }
    query.replyTo().tell(new LogProtocol.Tail(new ArrayList<>(matching), stats()));
    return this;
  }

  private LogProtocol.LogStats stats() {
    return new LogProtocol.LogStats(records, sources.size(), gaps, missing, dropped, late,
        file == null ? null : file.current().toString());
  }

  private Behavior<LogProtocol.Command> onStop() {
    // What is still in the window is not acknowledged: the forwarders send it to the next server.
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
    return this;
  }
}
