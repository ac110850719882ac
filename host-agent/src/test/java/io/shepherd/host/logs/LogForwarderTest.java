package io.shepherd.host.logs;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogForwarderTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final LogForwarder.Settings SETTINGS = new LogForwarder.Settings(100, 64 * 1024, 3, Duration.ofSeconds(30), Duration.ofMillis(100));

  /** A system of its own per test: each has its own Receptionist, with its own log servers. */
  ActorTestKit kit;

  @org.junit.jupiter.api.BeforeEach
  void start() {
    kit = ActorTestKit.create("forwarder", TestConfig.local());
  }

  @org.junit.jupiter.api.AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** A stand-in log server: registers with the Receptionist and passes every batch to a probe. */
  ActorRef<LogProtocol.Command> server(TestProbe<LogProtocol.Command> probe) {
    Behavior<LogProtocol.Command> relay = Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(LogProtocol.SERVICE_KEY, ctx.getSelf()));
      return Behaviors.receiveMessage(m -> {
        probe.getRef().tell(m);
        return Behaviors.same();
      });
    });
    return kit.spawn(relay);
  }

  static void add(LogBuffer buffer, int count) {
    for (int i = 0; i < count; i++) {
      buffer.add(1_000_000L + i, LogLevel.INFO, null, "test", "main", "record " + i, null);
    }
  }

  @Test
  void batchesAreNumberedAndNoMoreThanTheWindowIsInFlight() {
    TestProbe<LogProtocol.Command> probe = kit.createTestProbe();
    ActorRef<LogProtocol.Command> server = server(probe);
    LogBuffer buffer = new LogBuffer(10_000);
    add(buffer, 1000);
    kit.spawn(LogForwarder.create(buffer, "src-1", SETTINGS));
    List<LogProtocol.LogBatch> batches = probe.receiveSeveralMessages(3, WAIT).stream().map(LogProtocol.LogBatch.class::cast).toList();
    assertEquals(List.of(1L, 101L, 201L), batches.stream().map(LogProtocol.LogBatch::firstSeq).toList());
    assertTrue(batches.stream().allMatch(b -> b.records().size() == 100 && b.source().equals("src-1")));
    assertEquals("src-1", batches.get(0).records().get(0).source());
    probe.expectNoMessage(Duration.ofMillis(300));

    batches.get(0).replyTo().tell(new LogProtocol.Ack("src-1", 100));
    LogProtocol.LogBatch next = (LogProtocol.LogBatch) probe.receiveMessage(WAIT);
    assertEquals(301, next.firstSeq(), "an acknowledgement opens the window by one batch");
    probe.expectNoMessage(Duration.ofMillis(300));
    kit.stop(server);
  }

  @Test
  void aNewLogServerGetsEverythingTheOldOneDidNotAcknowledge() {
    TestProbe<LogProtocol.Command> first = kit.createTestProbe();
    ActorRef<LogProtocol.Command> old = server(first);
    LogBuffer buffer = new LogBuffer(10_000);
    add(buffer, 250);
    kit.spawn(LogForwarder.create(buffer, "src-2", SETTINGS));
    List<LogProtocol.LogBatch> sent = first.receiveSeveralMessages(3, WAIT).stream().map(LogProtocol.LogBatch.class::cast).toList();
    sent.get(0).replyTo().tell(new LogProtocol.Ack("src-2", 100));

    kit.stop(old); // the Manager's JVM died with its log server
    TestProbe<LogProtocol.Command> second = kit.createTestProbe();
    server(second);
    List<Long> resent = second.receiveSeveralMessages(2, WAIT).stream().map(m -> ((LogProtocol.LogBatch) m).firstSeq()).toList();
    assertEquals(List.of(101L, 201L), resent, "the unacknowledged batches again, in order");
  }

  @Test
  void aFullBufferDropsCountsAndReportsTheDropAsARecord() {
    LogBuffer buffer = new LogBuffer(10);
    add(buffer, 25); // nobody drains yet: 15 are dropped
    TestProbe<LogProtocol.Command> probe = kit.createTestProbe();
    ActorRef<LogProtocol.Command> server = server(probe);
    kit.spawn(LogForwarder.create(buffer, "src-3", SETTINGS));
    LogProtocol.LogBatch batch = (LogProtocol.LogBatch) probe.receiveMessage(WAIT);
    assertEquals(15, batch.dropped());
    assertEquals(11, batch.records().size(), "the 10 kept and the report of the drop");
    LogRecord report = batch.records().get(10);
    assertEquals(LogLevel.WARN, report.level());
    assertTrue(report.message().startsWith("dropped 15 log records"), report.message());
    assertEquals(11, report.seq(), "the report is numbered like any record: no gap");
    kit.stop(server);
  }

  @Test
  void theAppenderCapturesNodePathThreadLevelMessageAndStackTrace() {
    LogBuffer buffer = new LogBuffer(100);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    ForwardingAppender appender = new ForwardingAppender();
    appender.setContext(context);
    appender.setBuffer(buffer);
    appender.start();
    Logger logger = context.getLogger("node.daq1/acq/sine");
    logger.addAppender(appender);
    try {
      MDC.put(NodeContext.MDC_NODE, "daq1/acq/sine");
      logger.error("reading {} failed", 7, new IllegalStateException("no signal"));
    } finally {
      MDC.remove(NodeContext.MDC_NODE);
      logger.detachAppender(appender);
    }
    LogBuffer.Entry entry = buffer.drain(10, 1 << 20).get(0);
    assertEquals(LogLevel.ERROR, entry.level());
    assertEquals("daq1/acq/sine", entry.node());
    assertEquals("node.daq1/acq/sine", entry.logger());
    assertEquals(Thread.currentThread().getName(), entry.thread());
    assertEquals("reading 7 failed", entry.message());
    assertTrue(entry.error().contains("java.lang.IllegalStateException: no signal"), entry.error());
    assertTrue(entry.error().contains("LogForwarderTest"), "with its stack trace: " + entry.error());
    assertTrue(Math.abs(entry.micros() / 1000 - System.currentTimeMillis()) < 60_000);
  }
}
