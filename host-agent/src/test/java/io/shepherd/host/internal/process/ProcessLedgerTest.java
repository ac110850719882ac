package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The two guards against orphans: the records a restarted host agent reads, and the watchdog. */
class ProcessLedgerTest {

  static int runs;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void reap() {
    started.forEach(p -> {
      Sessions.signal(p.pid(), true);
      p.destroyForcibly();
    });
  }

  Path workDir() {
    return Path.of("target", "ledger-test-" + ProcessHandle.current().pid() + "-" + (++runs)).toAbsolutePath();
  }

  /** A process with a grandchild, in a session of its own, as process nodes are started. */
  Process session() throws Exception {
    Process process = new ProcessBuilder("setsid", "bash", "-c", "sleep 1000 & exec sleep 1000")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    started.add(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Sessions.members(process.pid()).size() < 2) {
      assertTrue(System.nanoTime() < deadline, "the session started");
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return process;
  }

  static void awaitGone(long sid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Sessions.members(sid).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "session " + sid + " ended: " + Sessions.members(sid));
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void aRestartedHostAgentEndsTheSessionsItsPreviousRunRecorded() throws Exception {
    Path work = workDir();
    Process left = session();
    // What the previous run wrote before its JVM was killed.
    Files.createDirectories(work.resolve("processes"));
    Files.writeString(work.resolve("processes").resolve(Long.toString(left.pid())), "boot=" + Sessions.bootId()
        + "\nstart=" + Sessions.startTicks(left.pid()).getAsLong() + "\nnode=daq1/acq/driver\n");
    // A record whose pid now names another process, and one from another boot: both left alone.
    Process stranger = session();
    Files.writeString(work.resolve("processes").resolve(Long.toString(stranger.pid())), "boot=" + Sessions.bootId()
        + "\nstart=1\nnode=daq1/acq/old\n");
    Files.writeString(work.resolve("processes").resolve("1"), "boot=another-boot\nstart=5\nnode=daq1/acq/older\n");

    ProcessLedger ledger = new ProcessLedger(work);
    List<String> ended = ledger.start();
    try {
      assertEquals(1, ended.size(), ended.toString());
      assertTrue(ended.get(0).contains("daq1/acq/driver"), ended.get(0));
      awaitGone(left.pid());
      assertFalse(Sessions.members(stranger.pid()).isEmpty(), "a process that merely reuses a recorded pid is not touched");
      try (var files = Files.list(work.resolve("processes"))) {
        assertEquals(0, files.count(), "the records are gone");
      }
    } finally {
      ledger.close();
    }
  }

  @Test
  void theWatchdogKillsEverySessionStillRecordedWhenItsHostAgentGoes() throws Exception {
    ProcessLedger ledger = new ProcessLedger(workDir());
    ledger.start();
    Process first = session();
    Process second = session();
    Process finished = session();
    ledger.started(first.pid(), "daq1/acq/a");
    ledger.started(second.pid(), "daq1/acq/b");
    ledger.started(finished.pid(), "daq1/acq/c");
    ledger.ended(finished.pid());
    assertEquals(List.of(first.pid(), second.pid()).stream().sorted().toList(), ledger.running().stream().sorted().toList());

    ledger.close(); // as when the JVM dies: the watchdog's input ends
    awaitGone(first.pid());
    awaitGone(second.pid());
    assertFalse(Sessions.members(finished.pid()).isEmpty(), "a session the ledger was told had ended is not its business");
  }

  @Test
  void theWatchdogEmptiesACgroupItGuardsBeforeAnySessionIsRecordedButNotOneNoLongerGuarded() throws Exception {
    Path work = workDir();
    ProcessLedger ledger = new ProcessLedger(work);
    ledger.start();
    // Directories standing for cgroups: the watchdog kills every pid in a guarded one's cgroup.procs.
    Process born = session();
    Process spared = session();
    Path guarded = Files.createDirectories(work.resolve("cg-guarded"));
    Path released = Files.createDirectories(work.resolve("cg-released"));
    Files.writeString(guarded.resolve("cgroup.procs"), born.pid() + "\n");
    Files.writeString(released.resolve("cgroup.procs"), spared.pid() + "\n");
    ledger.guarded(List.of(guarded, released));
    ledger.unguarded(List.of(released)); // its start failed

    ledger.close(); // the JVM dies after the start, before the session is recorded
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (born.isAlive()) {
      assertTrue(System.nanoTime() < deadline, "the process in the guarded cgroup was killed");
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertTrue(spared.isAlive(), "a cgroup no longer guarded is not the watchdog's business");
  }

  @Test
  void aSecondHostAgentWithTheSameIdOnThisMachineLeavesTheFirstOnesProcessesAlone() throws Exception {
    Path work = workDir();
    ProcessLedger first = new ProcessLedger(work);
    first.start();
    Process running = session();
    first.started(running.pid(), "daq1/acq/a");
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ProcessLedger(work).start());
      assertTrue(e.getMessage().contains("in use by another host agent"), e.getMessage());
      assertFalse(Sessions.members(running.pid()).isEmpty());
    } finally {
      first.close();
    }
  }
}
