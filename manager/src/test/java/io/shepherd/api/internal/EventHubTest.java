package io.shepherd.api.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The API's event hub against a Manager played by a probe: fan-out, resume, resync, and a slow stream dropped alone. */
class EventHubTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  /** A kit per test: each registers its own Manager with the Receptionist. */
  static ActorTestKit kit;

  @org.junit.jupiter.api.BeforeEach
  void start() {
    kit = ActorTestKit.create("hub", TestConfig.local());
  }

  @org.junit.jupiter.api.AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  static Event event(long epoch, long seq) {
    return Event.of(epoch, seq, Instant.now(), Event.NODE).withPath("daq1/acq/n" + seq);
  }

  /** A hub subscribed to a probe that registered as the Manager. */
  static ActorRef<ManagerProtocol.EventBatch> hubWithManager(TestProbe<ManagerProtocol.Command> manager, ActorRef<EventHub.Command> hub) {
    kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    ManagerProtocol.SubscribeEvents subscribe = manager.expectMessageClass(ManagerProtocol.SubscribeEvents.class, WAIT);
    assertEquals(0, subscribe.epoch());
    return subscribe.subscriber();
  }

  record Stream(BoundedSourceQueue<ByteString> queue, ConcurrentLinkedQueue<String> received) {}

  /** A stream whose events are read (consumed) as they come. */
  static Stream reading(int buffer) {
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> pair = Source.<ByteString>queue(buffer).preMaterialize(kit.system());
    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    pair.second().runWith(Sink.foreach(chunk -> received.add(chunk.utf8String())), kit.system());
    return new Stream(pair.first(), received);
  }

  static List<String> ids(ConcurrentLinkedQueue<String> chunks) {
    List<String> ids = new ArrayList<>();
    for (String chunk : chunks) {
      for (String line : chunk.split("\n")) {
        if (line.startsWith("id: ")) {
          ids.add(line.substring(4));
        }
      }
    }
    return ids;
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void aSlowStreamIsDroppedAndCountedWhileTheOthersGetEveryEventAndResume() throws Exception {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    ActorRef<EventHub.Command> hub = kit.spawn(EventHub.create(1000, Duration.ofSeconds(5)));
    ActorRef<ManagerProtocol.EventBatch> batches = hubWithManager(manager, hub);
    batches.tell(new ManagerProtocol.EventBatch(7, List.of(event(7, 1)), true));

    Stream fast = reading(1000);
    // A stream nobody reads, with room for 5 events: it falls behind.
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> stuck = Source.<ByteString>queue(5).preMaterialize(kit.system());
    hub.tell(new EventHub.Connect(1, fast.queue(), EventFilter.ALL, null));
    hub.tell(new EventHub.Connect(2, stuck.first(), EventFilter.ALL, null));
    batches.tell(new ManagerProtocol.EventBatch(7, IntStream.rangeClosed(2, 51).mapToObj(i -> event(7, i)).toList(), false));
    await("the fast stream's 50 events", () -> ids(fast.received()).size() == 50);
    assertEquals(IntStream.rangeClosed(2, 51).mapToObj(i -> "7-" + i).toList(), ids(fast.received()), "every event, in order");
    CompletableFuture<EventHub.Stats> stats = new CompletableFuture<>();
    hub.tell(new EventHub.GetStats(stats));
    assertEquals(1, stats.get(10, TimeUnit.SECONDS).dropped(), "the stuck stream was dropped and counted");
    assertEquals(1, stats.get().streams(), "the fast one goes on");
    // The dropped stream's client comes back with its last id and gets the rest, in order.
    Stream resumed = reading(1000);
    hub.tell(new EventHub.Connect(3, resumed.queue(), EventFilter.ALL, "7-5"));
    await("the resumed stream's 46 events", () -> ids(resumed.received()).size() == 46);
    assertEquals(IntStream.rangeClosed(6, 51).mapToObj(i -> "7-" + i).toList(), ids(resumed.received()));
  }

  @Test
  void aGapMakesTheHubSubscribeAgainAndANewEpochIsAResync() throws Exception {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    ActorRef<EventHub.Command> hub = kit.spawn(EventHub.create(1000, Duration.ofSeconds(5)));
    ActorRef<ManagerProtocol.EventBatch> batches = hubWithManager(manager, hub);
    batches.tell(new ManagerProtocol.EventBatch(3, List.of(event(3, 1), event(3, 2)), true));
    Stream stream = reading(100);
    hub.tell(new EventHub.Connect(1, stream.queue(), EventFilter.ALL, null));
    // Event 3 was lost on the way: the hub asks again from 2 and relays nothing out of order.
    batches.tell(new ManagerProtocol.EventBatch(3, List.of(event(3, 4)), false));
    ManagerProtocol.SubscribeEvents again = manager.expectMessageClass(ManagerProtocol.SubscribeEvents.class, WAIT);
    assertEquals(3, again.epoch());
    assertEquals(2, again.afterSeq());
    batches.tell(new ManagerProtocol.EventBatch(3, List.of(event(3, 3), event(3, 4)), false));
    await("events 3 and 4", () -> ids(stream.received()).size() == 2);
    assertEquals(List.of("3-3", "3-4"), ids(stream.received()));
    // A new Manager incarnation: the stream hears a resync, then the new epoch's events.
    batches.tell(new ManagerProtocol.EventBatch(4, List.of(event(4, 1)), true));
    await("the resync and the new epoch's first event", () -> ids(stream.received()).size() == 4);
    assertTrue(String.join("", stream.received()).contains("event: resync"));
    assertEquals("4-1", ids(stream.received()).get(3));
    // An id of the old epoch cannot be resumed: a resync first.
    Stream late = reading(100);
    hub.tell(new EventHub.Connect(2, late.queue(), EventFilter.ALL, "3-2"));
    await("the late stream's resync", () -> String.join("", late.received()).contains("event: resync"));
  }
}
