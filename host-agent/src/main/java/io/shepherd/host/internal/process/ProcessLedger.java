package io.shepherd.host.internal.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of the process sessions a host agent started, so that none outlives it.
 *
 * <p>Two guards: a file per running session in {@code WORK_DIR/processes}, which the next
 * incarnation of the host agent reads at start-up to end whatever the previous one left (its JVM
 * was {@code kill -9}ed, say); and a watchdog, a small shell process that learns of every session
 * through a pipe and, when the pipe closes because the JVM died, kills every session it still
 * knows. So processes end with their host agent at once, and at the latest when it is restarted.
 * Thread-safe; blocking (file I/O): call it from node threads or the blocking dispatcher.
 */
public final class ProcessLedger implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProcessLedger.class);

  /** Ignores the signals a terminal sends; at end-of-input kills every session, and everything in every cgroup, it was told of. */
  static final String WATCHDOG_SCRIPT = String.join("\n",
      "trap '' INT TERM HUP QUIT",
      "declare -A sessions groups",
      "while IFS= read -r line; do",
      "  case \"$line\" in",
      "    +c*) groups[${line:2}]=1 ;;",
      "    -c*) unset \"groups[${line:2}]\" ;;",
      "    +*) sessions[${line:1}]=1 ;;",
      "    -*) unset \"sessions[${line:1}]\" ;;",
      "  esac",
      "done",
      "for sid in \"${!sessions[@]}\"; do",
      "  pkill -KILL -s \"$sid\" 2>/dev/null || kill -KILL -- \"-$sid\" 2>/dev/null",
      "done",
      "for round in 1 2 3 4 5 6 7 8 9 10; do",
      "  left=0",
      "  for dir in \"${!groups[@]}\"; do",
      "    while read -r pid; do kill -KILL \"$pid\" 2>/dev/null; left=1; done < \"$dir/cgroup.procs\"",
      "  done",
      "  [ $left = 0 ] && break",
      "  sleep 0.05",
      "done",
      "for dir in \"${!groups[@]}\"; do rmdir \"$dir\" 2>/dev/null; done");

  private final Path dir;
  private final String bootId = Sessions.bootId();
  private final Map<Long, Path> records = new HashMap<>();
  private final Map<Long, List<Path>> groups = new HashMap<>();
  private OutputStream watchdogInput;
  private FileChannel lock;

  /** @param workDir the host agent's work directory; the records go in its {@code processes} folder */
  public ProcessLedger(Path workDir) {
    this.dir = workDir.resolve("processes");
  }

  /**
   * Takes the work directory for this host agent, ends every session that an earlier incarnation
   * recorded and that still runs, deletes the records, and starts the watchdog.
   *
   * @return a line for each session it ended
   * @throws IllegalStateException if another live host agent of the same id on this machine holds
   *     the work directory: its processes are its own
   */
  public synchronized List<String> start() {
    List<String> ended = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      lock(dir.resolveSibling("host.lock"));
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path file : files) {
          endRecorded(file).ifPresent(ended::add);
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the process records in " + dir, e);
    }
    startWatchdog();
    return ended;
  }

  private void lock(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock taken;
    try {
      taken = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      taken = null;
    }
    if (taken == null) {
      channel.close();
      throw new IllegalStateException("the work directory " + dir.getParent() + " is in use by another host agent with the same "
          + "id on this machine; give each host agent its own id (--host-id) or shepherd.host.work-root");
    }
    lock = channel; // held, with its lock, for the life of this JVM
  }

  private Optional<String> endRecorded(Path file) {
    Map<String, String> record = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          record.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      long sid = Long.parseLong(file.getFileName().toString());
      if (!bootId.equals(record.get("boot"))) {
        return Optional.empty(); // from before a reboot: nothing of it runs
      }
      OptionalLong start = Sessions.startTicks(sid);
      boolean leaderIsOurs = start.isPresent() && Long.toString(start.getAsLong()).equals(record.get("start"));
      if (start.isPresent() && !leaderIsOurs) {
        return Optional.empty(); // the pid names another process now: our session is gone
      }
      int contained = 0;
      for (String dir : record.getOrDefault("cgroups", "").split("\t")) {
        if (!dir.isEmpty()) {
          contained += Cgroups.Group.killAll(Path.of(dir), Files.exists(Path.of(dir, "cgroup.kill")), null);
          Files.deleteIfExists(Path.of(dir));
        }
      }
      List<Long> members = Sessions.members(sid);
      if (members.isEmpty() && contained == 0) {
        return Optional.empty();
      }
      Sessions.signal(sid, true);
      return Optional.of("session " + sid + " of node " + record.get("node") + " (" + members.size() + " processes"
          + (contained == 0 ? "" : ", " + contained + " in its cgroup") + ")");
    } catch (IOException | NumberFormatException e) {
      log.warn("unreadable process record {}: {}", file, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * The watchdog runs in a session of its own (setsid, when there is one), so that a kill of the
   * member's whole process group (a terminal closed, {@code kill -9 -- -PGID}) leaves it to see
   * the JVM's pipe close and end the nodes' sessions.
   */
  private void startWatchdog() {
    try {
      watchdogInput = Sessions.bashInOwnSession(WATCHDOG_SCRIPT).getOutputStream();
    } catch (IOException e) {
      log.warn("cannot start the process watchdog (bash): {}; processes of nodes are ended at the next start of this host "
          + "agent instead, if its JVM dies", e.toString());
    }
  }

  /** Records a session the host started (its leader's pid), before anything else can go wrong. */
  public synchronized void started(long sid, String node) {
    started(sid, node, List.of());
  }

  /**
   * Records a session the host started, and the cgroup directories its processes are contained in.
   * Each session's file is its own: it is written outside the ledger's lock, so that a hundred
   * nodes starting at once do not queue behind each other's disk writes (seen: 300 ms waits).
   */
  public void started(long sid, String node, List<Path> cgroups) {
    Path file = dir.resolve(Long.toString(sid));
    OptionalLong start = Sessions.startTicks(sid);
    boolean written = false;
    try {
      Files.writeString(file, "boot=" + bootId + "\nstart=" + (start.isPresent() ? start.getAsLong() : -1) + "\nnode=" + node + "\n"
          + (cgroups.isEmpty() ? "" : "cgroups=" + String.join("\t", cgroups.stream().map(Path::toString).toList()) + "\n"),
          StandardCharsets.UTF_8);
      written = true;
    } catch (IOException e) {
      log.warn("cannot record process session {} of {} in {}: {}", sid, node, dir, e.toString());
    }
    synchronized (this) {
      if (written) {
        records.put(sid, file);
      }
      tellWatchdog("+" + sid);
      if (!cgroups.isEmpty()) {
        groups.put(sid, List.copyOf(cgroups));
        cgroups.forEach(group -> tellWatchdog("+c" + group));
      }
    }
  }

  /**
   * Tells the watchdog of a node's cgroups before its process is started in them, so that a JVM
   * that dies after the start and before {@link #started} still has it killed (where the process
   * is born in its cgroup). {@link #started} or {@link #unguarded} follows.
   */
  public synchronized void guarded(List<Path> cgroups) {
    cgroups.forEach(group -> tellWatchdog("+c" + group));
  }

  /** The cgroups of a start that failed, or that the process could not be put in: no longer the watchdog's. */
  public synchronized void unguarded(List<Path> cgroups) {
    cgroups.forEach(group -> tellWatchdog("-c" + group));
  }

  /**
   * Forgets a session once none of its processes runs any more. Its file is deleted outside the
   * lock: a new session could take the same id only once the kernel's pids have gone all the way
   * round, not in between.
   */
  public void ended(long sid) {
    Path file;
    synchronized (this) {
      file = records.remove(sid);
      tellWatchdog("-" + sid);
      List<Path> contained = groups.remove(sid);
      if (contained != null) {
        contained.forEach(group -> tellWatchdog("-c" + group));
      }
    }
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.warn("cannot delete process record {}: {}", file, e.toString());
      }
    }
  }

  /** The sessions recorded and not ended. */
  public synchronized List<Long> running() {
    return List.copyOf(records.keySet());
  }

  private void tellWatchdog(String line) {
    if (watchdogInput == null) {
      return;
    }
    try {
      watchdogInput.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      watchdogInput.flush();
    } catch (IOException e) {
      log.warn("the process watchdog is gone ({}); processes of nodes are ended at the next start of this host agent "
          + "instead, if its JVM dies", e.toString());
      watchdogInput = null;
    }
  }

  /** Ends the watchdog (which kills any session still recorded) once every node is stopped. */
  @Override
  public synchronized void close() {
    if (watchdogInput != null) {
      try {
        watchdogInput.close();
      } catch (IOException e) {
        // it ends on its own when this JVM does
      }
      watchdogInput = null;
    }
  }
}
