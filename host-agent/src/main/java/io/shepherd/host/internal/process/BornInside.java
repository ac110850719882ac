package io.shepherd.host.internal.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes born in their cgroups, on cgroup v1, where each thread has cgroups of its own and a
 * child is born in those of the thread that forks it: the node thread moves alone into the node's
 * cgroups for the one call that starts its process, then back to its own. The process and all it
 * ever starts are in the cgroup from their first instruction, and no program, however fast it
 * forks and leaves its session, can start outside it. Where this cannot be done (a thread's own
 * cgroups not found under the mounts, or not writable; a thread that could not go back), the host
 * says so once and moves processes in after they start ({@link Cgroups.Group#add}). Blocking
 * (files in {@code /sys}): node threads only.
 */
final class BornInside {

  private static final Logger log = LoggerFactory.getLogger(BornInside.class);

  private final Cgroups host;
  /** Off once a node thread's own cgroups cannot be found, or it could not go back to them. */
  private final AtomicBoolean on = new AtomicBoolean(true);
  private final ThreadLocal<Own> own = new ThreadLocal<>();

  /** A thread's id and the directories of its own v1 cgroups, one per hierarchy the host uses. */
  private record Own(String tid, Map<String, Path> dirs) {}

  BornInside(Cgroups host) {
    this.host = host;
  }

  /**
   * Moves the calling thread alone into the group at {@code dirs} (one per hierarchy), for the
   * call that starts its process; {@link Entered#leave()} moves it back. Until then the group's
   * {@code pids.max} counts one more for it. Empty, with nothing changed, where this cannot be
   * done: the caller then moves the process in once it has started.
   *
   * @param pidsLimit the group's limit of processes, or null
   */
  Optional<Entered> enter(Map<String, Path> dirs, Integer pidsLimit) {
    if (!on.get()) {
      return Optional.empty();
    }
    Optional<Own> found = own();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Entered entered = new Entered(found.get(), dirs, pidsLimit);
    try {
      if (pidsLimit != null) {
        Files.writeString(dirs.get("pids").resolve("pids.max"), Integer.toString(pidsLimit + 1));
      }
      for (Map.Entry<String, Path> dir : dirs.entrySet()) {
        Files.writeString(dir.getValue().resolve("tasks"), found.get().tid());
        entered.moved.add(dir.getKey());
      }
      return Optional.of(entered);
    } catch (IOException e) {
      log.debug("processes are moved into their cgroups after they start: a thread cannot enter {} ({})", dirs.values(), e.toString());
      entered.leave();
      return Optional.empty();
    }
  }

  /**
   * The calling thread's own cgroups, found once per thread (only Shepherd moves it, and always
   * back); empty if they cannot all be found and written, and then, said once, the host moves
   * processes into their cgroups after they start.
   */
  private Optional<Own> own() {
    Own known = own.get();
    if (known != null) {
      return Optional.of(known);
    }
    Map<String, Path> dirs;
    String tid;
    try {
      dirs = host.threadCgroups(Files.readString(Path.of("/proc/thread-self/cgroup")), host.hierarchies());
      tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    } catch (IOException | RuntimeException e) {
      return off("this thread's cgroups cannot be read (" + e + ")");
    }
    if (dirs.size() != host.hierarchies().size() || !dirs.values().stream().allMatch(dir -> Files.isWritable(dir.resolve("tasks")))) {
      return off("this thread's own cgroups " + dirs + " are not all found under the mounts and writable");
    }
    Own found = new Own(tid, Map.copyOf(dirs));
    own.set(found);
    return Optional.of(found);
  }

  private Optional<Own> off(String why) {
    if (on.getAndSet(false)) {
      log.info("processes of nodes are moved into their cgroups right after they start, not born in them: {}", why);
    }
    return Optional.empty();
  }

  /** A thread inside a group; see {@link #enter}. */
  final class Entered {
    private final Own thread;
    private final Map<String, Path> dirs;
    private final Integer pidsLimit;
    private final List<String> moved = new ArrayList<>();

    private Entered(Own thread, Map<String, Path> dirs, Integer pidsLimit) {
      this.thread = thread;
      this.dirs = dirs;
      this.pidsLimit = pidsLimit;
    }

    /**
     * Moves the thread back to its own cgroups, then gives the group its own {@code pids.max}. A
     * thread that cannot go back is put in the host's cgroups (which hold nothing else), and from
     * then on the host moves processes into their cgroups after they start.
     */
    void leave() {
      String tid = thread.tid();
      for (String controller : moved) {
        try {
          Files.writeString(thread.dirs().get(controller).resolve("tasks"), tid);
        } catch (IOException e) {
          on.set(false);
          log.error("thread {} cannot go back to its cgroup {} ({}); it is put in {}, and processes are moved into their cgroups "
              + "after they start from now on", tid, thread.dirs().get(controller), e.toString(), host.base(controller));
          try {
            Files.writeString(host.base(controller).resolve("tasks"), tid);
          } catch (IOException again) {
            log.error("thread {} stays in cgroup {} ({})", tid, dirs.get(controller), again.toString());
          }
        }
      }
      moved.clear();
      if (pidsLimit != null) {
        try {
          Files.writeString(dirs.get("pids").resolve("pids.max"), Integer.toString(pidsLimit));
        } catch (IOException e) {
          log.warn("the limit of {} processes of cgroup {} is one too many: {}", pidsLimit, dirs.get("pids"), e.toString());
        }
      }
    }
  }
}
