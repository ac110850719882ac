package io.shepherd.manager.logs;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import io.shepherd.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogServerTest {

  static final ActorTestKit kit = ActorTestKit.create("logs", TestConfig.local());
  static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @TempDir
  Path dir;

  final TestProbe<LogProtocol.Ack> acks = kit.createTestProbe();

  ActorRef<LogProtocol.Command> server(long maxFileSize, Duration gapTimeout, int subscriberWindow) {
    return kit.spawn(LogServer.create(new LogServer.Settings(Duration.ofMillis(100), dir, maxFileSize, 3, 1000, gapTimeout,
        subscriberWindow, 1000, 100, Duration.ofMillis(20), Duration.ofMillis(5)), null));
  }

  static long now() {
    return Instant.now().toEpochMilli() * 1000;
  }

  static List<LogRecord> records(String source, long firstSeq, int count, long startMicros, long stepMicros) {
    List<LogRecord> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(new LogRecord(source, firstSeq + i, startMicros + i * stepMicros, LogLevel.INFO, source.equals("a") ? "daq1/acq/sine" : null,
          "test", "main", source + "-" + (firstSeq + i), null));
    }
    return list;
  }

  LogProtocol.LogBatch batch(String source, long firstSeq, List<LogRecord> records) {
    return new LogProtocol.LogBatch(source, firstSeq, records, 0, acks.getRef());
  }

  /** Everything a subscriber receives until {@code count} records have come, acknowledging each delivery. */
  static List<LogRecord> receive(TestProbe<LogProtocol.Delivery> subscriber, int count) {
    List<LogRecord> got = new ArrayList<>();
    while (got.size() < count) {
      LogProtocol.Delivery delivery = subscriber.receiveMessage(WAIT);
      got.addAll(delivery.records());
      delivery.server().tell(new LogProtocol.Delivered(subscriber.getRef(), delivery.number()));
    }
    return got;
  }

  @Test
  void recordsOfSeveralSourcesAreStreamedInTimeOrderAndAcknowledgedAfterwards() {
    ActorRef<LogProtocol.Command> server = server(1 << 20, Duration.ofSeconds(5), 16);
    TestProbe<LogProtocol.Delivery> subscriber = kit.createTestProbe();
    server.tell(new LogProtocol.Subscribe(LogFilter.all(), subscriber.getRef()));
    long t = now();
    // Source b's records are older but arrive later: the window orders them.
    server.tell(batch("a", 1, records("a", 1, 5, t + 10, 20)));
    server.tell(batch("b", 1, records("b", 1, 5, t, 20)));
    List<LogRecord> got = receive(subscriber, 10);
    for (int i = 1; i < got.size(); i++) {
      assertTrue(got.get(i - 1).micros() <= got.get(i).micros(), "in time order: " + got);
    }
    assertEquals("b-1", got.get(0).message());
    // Each source is acknowledged up to its last record; a window tick may release a source's
    // records in two parts, and then acknowledge them in two steps.
    Map<String, Long> acked = new HashMap<>(Map.of("a", 0L, "b", 0L));
    while (acked.values().stream().anyMatch(upTo -> upTo < 5)) {
      LogProtocol.Ack ack = acks.receiveMessage(WAIT);
      assertTrue(ack.upTo() > acked.get(ack.source()) && ack.upTo() <= 5, "acknowledgements grow up to 5: " + ack + " after " + acked);
      acked.put(ack.source(), ack.upTo());
    }
  }

  @Test
  void duplicatesAreDroppedAndAGapIsCountedOnceItsTimeoutPasses() throws Exception {
    ActorRef<LogProtocol.Command> server = server(1 << 20, Duration.ofMillis(300), 16);
    TestProbe<LogProtocol.Delivery> subscriber = kit.createTestProbe();
    server.tell(new LogProtocol.Subscribe(LogFilter.all(), subscriber.getRef()));
    long t = now();
    server.tell(batch("a", 1, records("a", 1, 10, t, 1)));
    server.tell(batch("a", 1, records("a", 1, 10, t, 1)));        // resent: a duplicate
    server.tell(batch("a", 6, records("a", 6, 10, t + 5, 1)));    // half seen already
    server.tell(batch("a", 26, records("a", 26, 5, t + 26, 1)));  // 16 to 25 never come
    List<LogRecord> got = receive(subscriber, 20);
    assertEquals(20, got.size());
    assertEquals(15, got.stream().map(LogRecord::seq).filter(s -> s <= 15).distinct().count(), "each record once");
    assertTrue(got.stream().anyMatch(r -> r.seq() == 30), "the records after the gap are kept");
    TestProbe<LogProtocol.Tail> tail = kit.createTestProbe();
    server.tell(new LogProtocol.QueryTail(LogFilter.all(), 100, tail.getRef()));
    LogProtocol.LogStats stats = tail.receiveMessage(WAIT).stats();
    assertEquals(1, stats.gaps(), stats.toString());
    assertEquals(10, stats.missing(), stats.toString());
    assertEquals(20, stats.records());
    // The acknowledgement passes the gap: the forwarder forgets the lost range too.
    long deadline = System.nanoTime() + WAIT.toNanos();
    long acked = 0;
    while (acked < 30 && System.nanoTime() < deadline) {
      acked = acks.receiveMessage(WAIT).upTo();
    }
    assertEquals(30, acked);
  }

  @Test
  void aSlowSubscriberHasRecordsDroppedAndCountedWhileOthersGetEverything() {
    ActorRef<LogProtocol.Command> server = server(1 << 20, Duration.ofSeconds(5), 2);
    TestProbe<LogProtocol.Delivery> slow = kit.createTestProbe();
    TestProbe<LogProtocol.Delivery> fast = kit.createTestProbe();
    server.tell(new LogProtocol.Subscribe(LogFilter.all(), slow.getRef()));
    server.tell(new LogProtocol.Subscribe(LogFilter.all(), fast.getRef()));
    // 20 batches, each once the fast subscriber has the one before.
    for (int i = 0; i < 20; i++) {
      server.tell(batch("a", 1 + i * 100L, records("a", 1 + i * 100L, 100, now(), 1)));
      assertEquals(100, receive(fast, 100).size());
    }
    // The slow one never acknowledged: it got its window's worth (2 deliveries of at most 100 records:
    // fewer when the reorder window released a batch in two ticks), 1000 more waited in its buffer,
    // and the rest was dropped, counted, and told with its next delivery.
    List<LogProtocol.Delivery> first = slow.receiveSeveralMessages(2, WAIT);
    slow.expectNoMessage(Duration.ofMillis(300));
    long records = 0;
    long dropped = 0;
    for (LogProtocol.Delivery d : first) {
      records += d.records().size();
      dropped += d.dropped();
      d.server().tell(new LogProtocol.Delivered(slow.getRef(), d.number()));
    }
    while (records + dropped < 2000) {
      LogProtocol.Delivery d = slow.receiveMessage(WAIT);
      records += d.records().size();
      dropped += d.dropped();
      d.server().tell(new LogProtocol.Delivered(slow.getRef(), d.number()));
    }
    assertEquals(2000, records + dropped, "every record delivered or counted as dropped");
    assertTrue(records >= 1000 && records <= 1200, "its window's worth and its buffer's, no more: " + records);
    assertTrue(dropped >= 800, "what overflowed its buffer was dropped and counted: " + dropped);
    server.tell(batch("a", 2001, records("a", 2001, 1, now(), 1)));
    // Its forwarder was never held back.
    long deadline = System.nanoTime() + WAIT.toNanos();
    long acked = 0;
    while (acked < 2001 && System.nanoTime() < deadline) {
      acked = acks.receiveMessage(WAIT).upTo();
    }
    assertEquals(2001, acked);
  }

  @Test
  void aRecordThatComesAfterItsWindowIsWrittenMarkedLateAndCounted() throws Exception {
    ActorRef<LogProtocol.Command> server = server(1 << 20, Duration.ofSeconds(5), 16);
    TestProbe<LogProtocol.Delivery> subscriber = kit.createTestProbe();
    server.tell(new LogProtocol.Subscribe(LogFilter.all(), subscriber.getRef()));
    long t = now();
    server.tell(batch("a", 1, records("a", 1, 3, t, 1)));
    receive(subscriber, 3);
    // b's start-up records, a minute old, come once b has joined: after a's, though older.
    server.tell(batch("b", 1, records("b", 1, 2, t - 60_000_000, 1)));
    receive(subscriber, 2);
    server.tell(batch("a", 4, records("a", 4, 1, now(), 1)));
    receive(subscriber, 1);
    TestProbe<LogProtocol.Tail> tail = kit.createTestProbe();
    server.tell(new LogProtocol.QueryTail(LogFilter.all(), 100, tail.getRef()));
    LogProtocol.LogStats stats = tail.receiveMessage(WAIT).stats();
    assertEquals(6, stats.records(), stats.toString());
    assertEquals(2, stats.late(), stats.toString());
    List<String> lines = Files.readAllLines(dir.resolve("shepherd.log"));
    assertEquals(6, lines.size(), String.join("\n", lines));
    for (String line : lines) {
      boolean fromB = line.endsWith(" - b-1") || line.endsWith(" - b-2");
      assertEquals(fromB, line.contains(" INFO  LATE(+60.0s) - [b main] test - b-"), "only b's records are marked late: " + line);
    }
  }

  @Test
  void theFileIsReadableAndRotatedBySizeKeepingAFewFiles() throws Exception {
    ActorRef<LogProtocol.Command> server = server(4096, Duration.ofSeconds(5), 16);
    long t = now();
    List<LogRecord> list = new ArrayList<>(records("b", 1, 399, t, 1));
    list.add(new LogRecord("b", 400, t + 500, LogLevel.ERROR, "daq1/acq/sine", "test", "main", "boom",
        "java.lang.IllegalStateException: boom\n\tat x.Y.z(Y.java:1)\n"));
    server.tell(batch("b", 1, list));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (acks.receiveMessage(WAIT).upTo() < 400) {
      assertTrue(System.nanoTime() < deadline);
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of("shepherd.log", "shepherd.log.1", "shepherd.log.2", "shepherd.log.3"), names, "rotated, 3 kept");
    }
    String all = "";
    for (String name : List.of("shepherd.log", "shepherd.log.1", "shepherd.log.2", "shepherd.log.3")) {
      all += Files.readString(dir.resolve(name));
    }
    assertTrue(all.contains("ERROR daq1/acq/sine [b main] test - boom\n    java.lang.IllegalStateException: boom"), all);
    assertTrue(Files.readString(dir.resolve("shepherd.log.1")).contains("INFO  - [b main] test - b-"));
  }

  @Test
  void theTailAndSubscriptionsFilterByNodeLevelAndTime() {
    ActorRef<LogProtocol.Command> server = server(1 << 20, Duration.ofSeconds(5), 16);
    long t = now();
    List<LogRecord> list = new ArrayList<>(records("a", 1, 3, t, 1));
    list.add(new LogRecord("a", 4, t + 10, LogLevel.WARN, "daq1/acq/sine", "test", "main", "careful", null));
    list.add(new LogRecord("a", 5, t + 11, LogLevel.ERROR, "daq2/rec/rec", "test", "main", "broken", null));
    server.tell(batch("a", 1, list));
    TestProbe<LogProtocol.Delivery> subscriber = kit.createTestProbe();
    server.tell(new LogProtocol.Subscribe(new LogFilter("daq1/**", LogLevel.WARN, null), subscriber.getRef()));
    assertEquals(List.of("careful"), receive(subscriber, 1).stream().map(LogRecord::message).toList());
    TestProbe<LogProtocol.Tail> tail = kit.createTestProbe();
    server.tell(new LogProtocol.QueryTail(new LogFilter("*/*/*", LogLevel.ERROR, t), 10, tail.getRef()));
    assertEquals(List.of("broken"), tail.receiveMessage(WAIT).records().stream().map(LogRecord::message).toList());
    server.tell(new LogProtocol.QueryTail(LogFilter.all(), 2, tail.getRef()));
    assertEquals(List.of("careful", "broken"), tail.receiveMessage(WAIT).records().stream().map(LogRecord::message).toList());
  }
}
