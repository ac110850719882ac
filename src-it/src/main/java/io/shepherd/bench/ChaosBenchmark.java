package io.shepherd.bench;

import io.shepherd.it.Chaos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** {@code bin/shepherd bench chaos [--minutes N]}: the chaos soak of {@link Chaos}, with its figures. */
final class ChaosBenchmark implements Benchmark {

  public String name() {
    return "chaos";
  }

  public String description() {
    return "chaos soak (default 5 min; --minutes N): 4 members under a restart loop, random kill -9 of members (the Manager's "
        + "too) and process nodes; then kills, time to settle after the last, Managers seen, orphans, duplicates, records lost "
        + "uncounted; target: one Manager, 0 orphans, 0 duplicates, 0 lost uncounted";
  }

  public void run(Report report) throws Exception {
    long minutes = Long.getLong("shepherd.bench.minutes", 5);
    long seed = Long.getLong("shepherd.chaos.seed", System.nanoTime());
    Path logs = Files.createTempDirectory("shepherd-bench-chaos-");
    Report.note("member logs in " + logs + "; seed " + seed + " (-Dshepherd.chaos.seed=" + seed + " repeats the choices)");
    Chaos chaos = Chaos.run(logs, Duration.ofMinutes(minutes), seed, Report::note);
    report.figure("duration", minutes * 60, "s");
    report.figure("nodes", chaos.nodes(), "count");
    report.figure("kills.members", chaos.memberKills(), "count");
    report.figure("kills.processes", chaos.processKills(), "count");
    report.figure("settled-after-last-kill", chaos.settled().toMillis(), "ms");
    report.figure("managers-seen", chaos.managersSeen(), "count");
    report.figure("orphans", chaos.orphans(), "count");
    report.figure("duplicates", chaos.duplicates(), "count");
    report.figure("records.received", chaos.recordsReceived(), "count");
    report.figure("records.missing", chaos.recordsHoles(), "count");
    report.figure("records.counted-missing", chaos.recordsCountedMissing(), "count");
    report.figure("records.lost-uncounted", chaos.recordsLostUncounted(), "count");
  }
}
