package io.shepherd.api.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.util.ByteString;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The events of one API member: it subscribes to the Manager's events (following the Manager
 * through a failover), keeps the newest in a buffer, and fans them out to the member's
 * Server-Sent Event streams, each through a bounded queue. A stream that falls behind by more
 * than its queue is ended and counted (its client reconnects with {@code Last-Event-ID} and
 * resumes from the buffer); the hub, and so the Manager, never waits for anyone.
 *
 * <p>Events are numbered per Manager epoch; a client that asks to resume from an id this hub can
 * no longer serve (another epoch, or fallen out of the buffer) first gets a {@value Event#RESYNC}
 * event: re-read the status. A gap in what the Manager sends (a lost message) makes the hub
 * subscribe again from its last event.
 */
public final class EventHub extends AbstractBehavior<EventHub.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /**
   * A new stream. {@code lastEventId} ({@code EPOCH-SEQ}): resume after it; null: new events only.
   */
  public record Connect(long id, BoundedSourceQueue<ByteString> queue, EventFilter filter, String lastEventId) implements Command {}

  /** A stream ended (its client went away). */
  public record Disconnect(long id) implements Command {}

  /** The events after {@code afterId} that match, at most {@code limit}: for clients that poll instead of streaming. */
  public record Recent(String afterId, EventFilter filter, int limit, CompletableFuture<Api.RecentEvents> answer) implements Command {}

  /** The hub's counters, for metrics. */
  public record GetStats(CompletableFuture<Stats> answer) implements Command {}

  /**
   * @param streams open streams
   * @param dropped streams ended because they fell behind
   * @param epoch the epoch of the events it relays (0: none yet)
   * @param lastSeq the newest event's number
   */
  public record Stats(int streams, long dropped, long epoch, long lastSeq) {}

  private record Batch(ManagerProtocol.EventBatch batch) implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private enum Check implements Command { INSTANCE }

  private record Entry(Event event, ByteString sse) {}

  private record Stream(BoundedSourceQueue<ByteString> queue, EventFilter filter) {}


  private final int capacity;
  private final ActorRef<ManagerProtocol.EventBatch> batches;
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private final Map<Long, Stream> streams = new HashMap<>();
  private ActorRef<ManagerProtocol.Command> manager;
  private boolean confirmed;
  private long epoch;
  private long lastSeq;
  private long dropped;

  /**
   * @param capacity how many of the newest events are kept for streams that resume
   * @param checkInterval how often it looks for a Manager it does not follow yet and for gaps
   */
  public static Behavior<Command> create(int capacity, Duration checkInterval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new EventHub(ctx, timers, capacity, checkInterval)));
  }

  private EventHub(ActorContext<Command> ctx, TimerScheduler<Command> timers, int capacity, Duration checkInterval) {
    super(ctx);
    this.capacity = capacity;
    this.batches = ctx.messageAdapter(ManagerProtocol.EventBatch.class, Batch::new);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(ManagerProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
    timers.startTimerWithFixedDelay(Check.INSTANCE, checkInterval);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listing.class, this::onListing)
        .onMessage(Batch.class, this::onBatch)
        .onMessage(Connect.class, this::onConnect)
        .onMessage(Disconnect.class, this::onDisconnect)
        .onMessage(Recent.class, this::onRecent)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Check.class, this::onCheck)
        .build();
  }

  private Behavior<Command> onListing(Listing message) {
    Set<ActorRef<ManagerProtocol.Command>> managers = message.listing().getServiceInstances(ManagerProtocol.SERVICE_KEY);
    if (manager != null && managers.contains(manager)) {
      return this;
    }
    manager = managers.isEmpty() ? null : managers.iterator().next();
    subscribe();
    return this;
  }

  private void subscribe() {
    confirmed = false;
    if (manager != null) {
      manager.tell(new ManagerProtocol.SubscribeEvents(epoch, lastSeq, batches));
    }
  }

  /** A subscription the Manager never answered (a message lost on the way) is made again. */
  private Behavior<Command> onCheck(Check check) {
    if (manager != null && !confirmed) {
      subscribe();
    }
    return this;
  }

  private Behavior<Command> onBatch(Batch message) {
    ManagerProtocol.EventBatch batch = message.batch();
    if (batch.epoch() < epoch) {
      return this; // a late batch of a Manager that is gone
    }
    confirmed = true;
    List<Event> events = batch.events();
    if (batch.epoch() > epoch || batch.reset()) {
      boolean streaming = epoch != 0;
      epoch = batch.epoch();
      buffer.clear();
      lastSeq = events.isEmpty() ? 0 : events.get(0).seq() - 1;
      if (streaming) {
        Event resync = resync("the Manager changed (epoch " + epoch + ") or events were lost: read the status again");
        ByteString sse = Sse.event(resync.id(), resync.type(), resync);
        streams.entrySet().removeIf(entry -> !offer(entry.getValue(), sse));
      }
    }
    for (Event event : events) {
      if (event.seq() <= lastSeq) {
        continue;
      }
      if (event.seq() != lastSeq + 1) {
        getContext().getLog().debug("events {} to {} did not arrive; subscribing again", lastSeq + 1, event.seq() - 1);
        subscribe();
        return this;
      }
      Entry entry = new Entry(event, Sse.event(event.id(), event.type(), event));
      buffer.addLast(entry);
      if (buffer.size() > capacity) {
        buffer.removeFirst();
      }
      lastSeq = event.seq();
      for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
        Stream stream = it.next();
        if (stream.filter().test(event) && !offer(stream, entry.sse())) {
          it.remove();
        }
      }
    }
    return this;
  }

  private Behavior<Command> onConnect(Connect connect) {
    Stream stream = new Stream(connect.queue(), connect.filter());
    if (connect.lastEventId() != null) {
      List<Entry> replay = after(connect.lastEventId());
      if (replay == null) {
        Event resync = resync("the events after " + connect.lastEventId() + " cannot all be had (another Manager epoch, or older than "
            + "the newest " + capacity + "): read the status again");
        if (!offer(stream, Sse.event(resync.id(), resync.type(), resync))) {
          return this;
        }
      } else {
        for (Entry entry : replay) {
          if (stream.filter().test(entry.event()) && !offer(stream, entry.sse())) {
            return this;
          }
        }
      }
    }
    streams.put(connect.id(), stream);
    return this;
  }

  private Behavior<Command> onDisconnect(Disconnect disconnect) {
    streams.remove(disconnect.id());
    return this;
  }

  private Behavior<Command> onRecent(Recent recent) {
    List<Entry> after = recent.afterId() == null ? new ArrayList<>(buffer) : after(recent.afterId());
    String last = epoch + "-" + lastSeq;
    if (after == null) {
      recent.answer().complete(new Api.RecentEvents(List.of(), true, last));
      return this;
    }
    List<Event> events = new ArrayList<>();
    for (Entry entry : after) {
      if (recent.filter().test(entry.event())) {
        events.add(entry.event());
        if (events.size() == recent.limit()) {
          last = entry.event().id();
          break;
        }
      }
    }
    recent.answer().complete(new Api.RecentEvents(events, false, last));
    return this;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.answer().complete(new Stats(streams.size(), dropped, epoch, lastSeq));
    return this;
  }

  /** The buffered events after {@code id}, or null if they cannot all be had. */
  private List<Entry> after(String id) {
    long[] parsed = parseId(id);
    if (parsed == null || parsed[0] != epoch) {
      return null;
    }
    long oldest = buffer.isEmpty() ? lastSeq + 1 : buffer.peekFirst().event().seq();
    if (parsed[1] < oldest - 1 || parsed[1] > lastSeq) {
      return null;
    }
    List<Entry> entries = new ArrayList<>();
    for (Entry entry : buffer) {
      if (entry.event().seq() > parsed[1]) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /** {@code EPOCH-SEQ} as two numbers, or null if it is not one. */
  public static long[] parseId(String id) {
    int dash = id == null ? -1 : id.indexOf('-');
    if (dash <= 0 || dash == id.length() - 1 || id.length() > 40) {
      return null;
    }
    try {
      return new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Event resync(String message) {
    return Event.of(epoch, lastSeq, Instant.now(), Event.RESYNC).withMessage(message);
  }

  /** Offers an event to a stream; a stream that cannot take it is ended (and counted if it fell behind). */
  private boolean offer(Stream stream, ByteString sse) {
    QueueOfferResult result = stream.queue().offer(sse);
    if (result.isEnqueued()) {
      return true;
    }
    if (result == QueueOfferResult.dropped()) {
      dropped++;
      stream.queue().complete();
    }
    return false;
  }
}
