package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.host.internal.process.ProbeLoop.Count;
import io.shepherd.host.internal.process.ProbeLoop.Verdict;
import io.shepherd.protocol.Probe;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The probe state machines: readiness on the first success, liveness on {@code failures} failures in a row. */
class ProbeLoopTest {

  static final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterAll
  static void shutdown() {
    scheduler.shutdownNow();
  }

  @Test
  void readinessIsReachedOnTheFirstSuccessWhateverFailedBefore() {
    Count count = new Count(true, 3);
    for (int i = 0; i < 10; i++) {
      assertEquals(Verdict.GO_ON, count.record("connection refused"), "a readiness probe never fails the node");
    }
    assertEquals(Verdict.READY, count.record(null));
  }

  @Test
  void livenessFailsOnlyAfterFailuresInARowAndASuccessStartsTheCountAgain() {
    Count count = new Count(false, 3);
    assertEquals(Verdict.GO_ON, count.record("a"));
    assertEquals(Verdict.GO_ON, count.record("b"));
    assertEquals(Verdict.GO_ON, count.record(null), "a success in between");
    assertEquals(0, count.inARow());
    assertEquals(Verdict.GO_ON, count.record("c"));
    assertEquals(Verdict.GO_ON, count.record("d"));
    assertEquals(Verdict.FAILED, count.record("e"));
    assertEquals("e", count.lastError());
    assertEquals(Verdict.GO_ON, new Count(false, 1).record(null), "a liveness success is no verdict");
    assertEquals(Verdict.FAILED, new Count(false, 1).record("x"));
  }

  @Test
  void aLoopProbesEveryPeriodUntilReadyAndThenStops() throws Exception {
    Deque<String> outcomes = new ArrayDeque<>(java.util.List.of("refused", "refused", "refused"));
    AtomicInteger probes = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(1);
    new ProbeLoop(Probe.tcp("1").withPeriod(Duration.ofMillis(20)), true, () -> {
      probes.incrementAndGet();
      return CompletableFuture.completedFuture(outcomes.poll());
    }, scheduler, ready::countDown, reason -> fail("readiness never fails: " + reason)).start(true);
    assertTrue(ready.await(10, TimeUnit.SECONDS));
    TimeUnit.MILLISECONDS.sleep(100);
    assertEquals(4, probes.get(), "three failures, one success, then no further probe");
  }

  @Test
  void aLivenessLoopReportsOnceWithTheLastError() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    AtomicReference<String> failed = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    new ProbeLoop(Probe.tcp("1").withPeriod(Duration.ofMillis(10)).withFailures(2), false,
        () -> CompletableFuture.completedFuture(probes.incrementAndGet() < 3 ? null : "refused " + probes.get()),
        scheduler, () -> fail("liveness is never ready"), reason -> {
          failed.set(reason);
          done.countDown();
        }).start(false);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals("liveness-failed: 2 tcp probes in a row failed; the last: refused 4", failed.get());
    TimeUnit.MILLISECONDS.sleep(100);
    assertEquals(4, probes.get(), "no probe after the verdict");
  }

  @Test
  void aStoppedLoopProbesNoMore() throws Exception {
    AtomicInteger probes = new AtomicInteger();
    ProbeLoop loop = new ProbeLoop(Probe.tcp("1").withPeriod(Duration.ofMillis(10)), false,
        () -> CompletableFuture.completedFuture(probes.incrementAndGet() > 0 ? null : "x"), scheduler, () -> { }, r -> { }).start(true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (probes.get() < 3 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    loop.stop();
    TimeUnit.MILLISECONDS.sleep(50);
    int after = probes.get();
    TimeUnit.MILLISECONDS.sleep(100);
    assertEquals(after, probes.get());
  }
}
