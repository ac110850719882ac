package io.shepherd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

/**
 * Finds new processes by their command line, through /proc: a program counts once it runs itself
 * ({@code sleep MARKER} exec'd), the same event for every contender.
 */
final class ProcWatch {

  private ProcWatch() {}

  /** The last pid the kernel handed out (the last field of /proc/loadavg). */
  static long lastPid() throws IOException {
    String loadavg = Files.readString(Path.of("/proc/loadavg")).trim();
    return Long.parseLong(loadavg.substring(loadavg.lastIndexOf(' ') + 1));
  }

  /**
   * Waits until a process with {@code marker} as an argument and a pid handed out after
   * {@code since} exists ({@code since} 0: any such process). A new pid whose command line does
   * not match yet (forked, not yet exec'd) is checked again until it matches or ends.
   */
  static long await(String marker, long since, long timeoutNanos) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    byte[] wanted = marker.getBytes(StandardCharsets.US_ASCII);
    if (since == 0) {
      while (System.nanoTime() < deadline) {
        for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
          if (matches(p.pid(), wanted)) {
            return p.pid();
          }
        }
      }
      throw new IllegalStateException("no process with '" + marker + "' appeared");
    }
    return awaitAll(marker, since, 1, deadline - System.nanoTime()).iterator().next();
  }

  /**
   * Waits until {@code count} processes run the marked program, each with a pid handed out after
   * {@code since}; returns their pids. Pids are read as the kernel hands them out, so a scan costs
   * only the processes started since the last one. A pid handed out may not be in /proc yet: the
   * kernel counts it as soon as it allocates it, early in fork, and the child shows only once fork
   * is done (which can wait, e.g. while a process is moved between cgroups, as Shepherd does with
   * containment on); such a pid is looked at again until it shows or {@link #UNBORN_PATIENCE_NANOS}
   * has passed. If that scan has found nothing for {@link #FULL_SCAN_AFTER_NANOS} while some are
   * still missing, every process with a pid handed out after {@code since} is looked at once; a
   * process found only so is reported on stderr, as the scan of new pids should not miss it (and
   * its time is the full scan's).
   */
  static Set<Long> awaitAll(String marker, long since, int count, long timeoutNanos) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    byte[] wanted = marker.getBytes(StandardCharsets.US_ASCII);
    Set<Long> found = new HashSet<>();
    Set<Long> pending = new LinkedHashSet<>();
    Map<Long, Long> unborn = new HashMap<>(); // pid -> when it was first found handed out but not in /proc
    long checked = since;
    long lastFound = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      if (now - lastFound > FULL_SCAN_AFTER_NANOS) {
        int before = found.size();
        long last = lastPid();
        long from = since;
        ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid)
            .filter(pid -> (last >= from ? pid > from && pid <= last : pid > from || pid <= last) && matches(pid, wanted))
            .forEach(found::add);
        if (found.size() > before) {
          System.err.printf("bench: watcher: a scan of every process found %d with '%s' that the scan of new pids missed%n",
              found.size() - before, marker);
        }
        if (found.size() >= count) {
          return found;
        }
        lastFound = now;
      }
      int foundBefore = found.size();
      for (Iterator<Long> it = pending.iterator(); it.hasNext(); ) {
        long pid = it.next();
        int state = check(pid, wanted);
        if (state == UNBORN && now - unborn.computeIfAbsent(pid, p -> now) < UNBORN_PATIENCE_NANOS) {
          continue;
        }
        if (state != FORKED) {
          it.remove();
          unborn.remove(pid);
          if (state == RUNS) {
            found.add(pid);
          }
        }
      }
      if (found.size() >= count) {
        return found;
      }
      long last = lastPid();
      for (long pid : handedOut(checked, last)) {
        int state = check(pid, wanted);
        if (state == RUNS && found.add(pid) && found.size() >= count) {
          return found;
        } else if (state == FORKED || state == UNBORN) {
          pending.add(pid);
        }
      }
      checked = last;
      if (found.size() > foundBefore) {
        lastFound = now;
      }
      // A short park, not a pure spin: the machine has 2 cores, and a spinning watcher would
      // slow down what it watches. Resolution is about 0.15 ms.
      LockSupport.parkNanos(100_000);
    }
    throw new IllegalStateException(found.size() + " of " + count + " processes with '" + marker + "' appeared");
  }

  /** Waits until no process runs the marked program. */
  static void awaitNone(String marker, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    byte[] wanted = marker.getBytes(StandardCharsets.US_ASCII);
    while (ProcessHandle.allProcesses().anyMatch(p -> matches(p.pid(), wanted))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("processes with '" + marker + "' still run");
      }
      Thread.sleep(20);
    }
  }

  /**
   * The pids handed out after {@code checked} up to {@code last}: when the kernel's counter has
   * wrapped (it restarts below {@code pid_max}, 32,768 on many machines), the rest of the old range
   * and then the new one.
   */
  static List<Long> handedOut(long checked, long last) {
    List<Long> pids = new ArrayList<>();
    if (last >= checked) {
      LongStream.rangeClosed(checked + 1, last).forEach(pids::add);
    } else {
      LongStream.rangeClosed(checked + 1, pidMax()).forEach(pids::add);
      LongStream.rangeClosed(1, last).forEach(pids::add);
    }
    return pids;
  }

  private static long pidMax() {
    try {
      return Long.parseLong(Files.readString(Path.of("/proc/sys/kernel/pid_max")).trim());
    } catch (IOException | NumberFormatException e) {
      return 4_194_304;
    }
  }

  private static final int RUNS = 1;
  private static final int FORKED = 0;
  private static final int UNBORN = 2;
  private static final int OTHER = -1;
  /** How long a pid handed out but not yet in /proc is looked for (a fork held up that long is not expected). */
  private static final long UNBORN_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How long the scan of new pids may find nothing before every process is looked at. */
  private static final long FULL_SCAN_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /**
   * RUNS: the marked program runs in it; FORKED: a process that may still exec; UNBORN: not in
   * /proc (not yet, or not any more); OTHER: a thread, or a process that is ending.
   */
  private static int check(long pid, byte[] wanted) {
    if (matches(pid, wanted)) {
      return RUNS;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("Tgid:")) {
          return Long.parseLong(line.substring(5).trim()) == pid ? FORKED : OTHER;
        }
      }
    } catch (NoSuchFileException e) {
      return UNBORN;
    } catch (IOException | RuntimeException e) {
      return UNBORN; // caught between states (an exec, an exit): looked at again, as an unborn pid is
    }
    return OTHER;
  }

  /**
   * True if the process runs the marked program itself: {@code sleep} (argv[0]) with the marker as
   * an argument. A launcher that carries the marker in its own arguments (Shepherd's
   * {@code setsid /usr/bin/sleep N}) does not count until it has exec'd {@code sleep}: every
   * contender is timed to the same event.
   */
  private static boolean matches(long pid, byte[] wanted) {
    try {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String[] args = new String(cmdline, StandardCharsets.US_ASCII).split("\0");
      String marker = new String(wanted, StandardCharsets.US_ASCII);
      return args.length >= 2 && (args[0].equals("sleep") || args[0].endsWith("/sleep")) && List.of(args).subList(1, args.length)
          .contains(marker);
    } catch (IOException e) {
      return false; // not (yet, or any more) a process
    }
  }

  static void killAll(String marker) {
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(" " + marker)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }
}
