package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two minutes of chaos ({@link Chaos}: random kill -9 of members, the Manager's too, and of process
 * nodes, with the members under a restart loop), then: every node in its requested state, one
 * Manager, no orphan or duplicate process, no log record lost without the log server counting it.
 * {@code bin/shepherd bench chaos} runs the same for longer and prints the figures.
 */
class ChaosIT {

  @Test
  void afterTwoMinutesOfChaosEverythingIsWhereItWasAskedToBe() throws Exception {
    long seed = Long.getLong("shepherd.chaos.seed", System.nanoTime());
    Chaos chaos = Chaos.run(Path.of("target/it-logs/chaos").toAbsolutePath(), Duration.ofMinutes(2), seed,
        line -> System.err.println("chaos: " + line));
    System.err.println("chaos: " + chaos);
    String what = chaos + " (seed " + seed + ": -Dshepherd.chaos.seed=" + seed + " runs the same choices)";
    assertTrue(chaos.memberKills() + chaos.processKills() >= 10, "it killed enough to mean something: " + what);
    assertEquals(1, chaos.managersSeen(), "every member names the same Manager: " + what);
    assertEquals(0, chaos.orphans(), "no process outlived its node: " + what);
    assertEquals(0, chaos.duplicates(), "no node runs twice: " + what);
    assertEquals(0, chaos.recordsLostUncounted(), "every record missing is counted by the log server: " + what);
    assertTrue(chaos.recordsReceived() > 0, what);
  }
}
