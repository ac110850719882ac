package io.shepherd.host.internal.process;

import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containment of process nodes in cgroups, where the machine has them: each process a node starts
 * goes into a cgroup of its own, so that stop, kill and a crash's clean-up reach every process it
 * ever started — also one that double-forked and called {@code setsid} to leave its session —
 * and so that its {@code limits} (memory, CPU, processes) hold and an OOM kill is seen. cgroup v2
 * (the unified hierarchy) and v1 (one hierarchy per controller: {@code pids}, {@code memory},
 * {@code cpu}, {@code freezer}) are both read from {@code /proc/self/mounts}; without a writable
 * one, process nodes run in their sessions alone (and limits are refused). Blocking (files in
 * {@code /sys}): node threads and the blocking dispatcher only.
 */
final class Cgroups {

  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
  private static final List<String> V1_CONTROLLERS = List.of("pids", "freezer", "memory", "cpu");
  private static final long CPU_PERIOD_US = 100_000;
  private static final long SELF = ProcessHandle.current().pid();

  private final boolean v2;
  /** For v1: each controller's directory for this host; for v2: the one directory, under key "". */
  private final Map<String, Path> bases;
  private final String description;
  private final AtomicLong names = new AtomicLong();
  /** Starts of processes inside their cgroups (v1), for this host's groups. */
  private final BornInside bornInside = new BornInside(this);

  private Cgroups(boolean v2, Map<String, Path> bases, String description) {
    this.v2 = v2;
    this.bases = bases;
    this.description = description;
  }

  /** What this host can do, for its status: {@code cgroup v1: pids, memory, cpu} or {@code none: why}. */
  String describe() {
    return description;
  }

  /** The controllers (v1) of the hierarchies this host uses; for v2, the one key "". */
  Set<String> hierarchies() {
    return bases.keySet();
  }

  /** This host's own directory in the hierarchy of {@code controller} (v1). */
  Path base(String controller) {
    return bases.get(controller);
  }

  /** True if processes are contained in cgroups here. */
  boolean usable() {
    return !bases.isEmpty();
  }

  /** True if memory limits can be set here. */
  boolean limits(String controller) {
    return v2 ? bases.containsKey("") && controllers2().contains(controller) : bases.containsKey(controller);
  }

  /** The controllers enabled for this host's cgroups (v2), sorted. */
  private Set<String> controllers2() {
    try {
      Set<String> enabled = new TreeSet<>();
      for (String word : Files.readString(bases.get("").resolve("cgroup.subtree_control")).trim().split("\\s+")) {
        if (!word.isEmpty()) {
          enabled.add(word.startsWith("+") ? word.substring(1) : word);
        }
      }
      return enabled;
    } catch (IOException e) {
      return Set.of();
    }
  }

  /**
   * Finds the machine's cgroups in {@code mounts} (the text of {@code /proc/self/mounts}): which
   * hierarchies there are and may be written to. Nothing is made yet ({@link #prepare} does it).
   */
  static Cgroups detect(String mounts, String hostId) {
    String name = "shepherd." + hostId.replaceAll("[^A-Za-z0-9_.-]", "_");
    Path unified = null;
    boolean seen = false;
    Map<String, Path> v1 = new LinkedHashMap<>();
    for (String line : mounts.split("\n")) {
      String[] fields = line.split(" ");
      if (fields.length < 4) {
        continue;
      }
      seen |= fields[2].startsWith("cgroup");
      if (fields[2].equals("cgroup2") && unified == null) {
        unified = Path.of(fields[1]);
      } else if (fields[2].equals("cgroup") && fields[3].startsWith("rw")) {
        for (String option : fields[3].split(",")) {
          if (V1_CONTROLLERS.contains(option) && Files.isWritable(Path.of(fields[1]))) {
            v1.putIfAbsent(option, Path.of(fields[1]).resolve(name));
          }
        }
      }
    }
    if (v1.containsKey("pids") || v1.containsKey("freezer") || v1.containsKey("memory")) {
      return new Cgroups(false, v1, "cgroup v1: " + String.join(", ", v1.keySet()));
    }
    if (unified != null && Files.isWritable(unified.resolve("cgroup.subtree_control"))) {
      return new Cgroups(true, Map.of("", unified.resolve(name)), "cgroup v2");
    }
    return none(seen ? "the machine's cgroups are not writable by this member" : "this machine has no cgroups");
  }

  /** Makes this host's directories (and, on v2, enables its controllers); returns containment off, saying why, if it cannot. */
  Cgroups prepare() {
    if (!usable()) {
      return this;
    }
    try {
      for (Path base : bases.values()) {
        Files.createDirectories(base);
      }
      if (!v2) {
        return this;
      }
      Path base = bases.get("");
      Set<String> available = Set.of(Files.readString(base.getParent().resolve("cgroup.controllers")).trim().split("\\s+"));
      String enable = String.join(" ", List.of("pids", "memory", "cpu").stream().filter(available::contains).map(c -> "+" + c).toList());
      if (!enable.isEmpty()) {
        Files.writeString(base.getParent().resolve("cgroup.subtree_control"), enable);
        Files.writeString(base.resolve("cgroup.subtree_control"), enable);
      }
      return new Cgroups(true, bases, "cgroup v2: " + String.join(", ", controllers2()));
    } catch (IOException | SecurityException e) {
      log.warn("process nodes are not contained in cgroups: {} cannot be made ({})", bases.values(), e.toString());
      return none(description + " could not be used (" + e.getMessage() + ")");
    }
  }

  static Cgroups none(String why) {
    return new Cgroups(false, Map.of(), "none: " + why + "; processes are contained by their sessions only");
  }

  /** Reads {@code /proc/self/mounts} and detects; never throws. */
  static Cgroups detect(String hostId) {
    try {
      return detect(Files.readString(Path.of("/proc/self/mounts")), hostId);
    } catch (IOException | RuntimeException e) {
      return none("/proc/self/mounts cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Removes this host's directories if nothing is left in them (a host that stops; its nodes' cgroups are gone). */
  void close() {
    for (Path base : bases.values()) {
      try {
        Files.deleteIfExists(base);
      } catch (IOException e) {
        log.debug("cgroup {} is still in use: {}", base, e.toString());
      }
    }
  }

  /**
   * The directories of a thread's own v1 cgroups, for {@code controllers}, from its
   * {@code /proc/thread-self/cgroup} text: each under the mount of the hierarchy this host uses.
   * A controller whose directory does not exist there (a mount of a part of the tree, as in some
   * containers) is left out.
   */
  Map<String, Path> threadCgroups(String procCgroup, Set<String> controllers) {
    Map<String, Path> own = new LinkedHashMap<>();
    for (String line : procCgroup.split("\n")) {
      String[] fields = line.split(":", 3);
      if (fields.length < 3 || !fields[2].startsWith("/")) {
        continue;
      }
      for (String controller : fields[1].split(",")) {
        Path base = bases.get(controller);
        if (controllers.contains(controller) && base != null) {
          Path dir = base.getParent().resolve(fields[2].substring(1));
          if (Files.isDirectory(dir)) {
            own.put(controller, dir);
          }
        }
      }
    }
    return own;
  }

  /**
   * The name of the node's cgroup (made by {@link #create}) that process {@code pid} is in, from
   * its {@code /proc/PID/cgroup}: also for a process that left its node's session; empty if it is
   * in none of this host's, or gone.
   */
  Optional<String> groupOf(long pid) {
    if (!usable()) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
    } catch (IOException e) {
      return Optional.empty();
    }
    for (Map.Entry<String, Path> own : threadCgroups(text, bases.keySet()).entrySet()) {
      Path base = bases.get(own.getKey());
      for (Path dir = own.getValue(); dir != null && dir.startsWith(base); dir = dir.getParent()) {
        if (base.equals(dir.getParent())) {
          return Optional.of(dir.getFileName().toString());
        }
      }
    }
    return Optional.empty();
  }

  /** A new cgroup for one process of a node, with its limits set; empty if containment is off. */
  Optional<Group> create(String node, ProcessSpec.Limits limits) throws IOException {
    if (!usable()) {
      return Optional.empty();
    }
    String name = node.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + ProcessHandle.current().pid() + "-" + names.incrementAndGet();
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (Map.Entry<String, Path> base : bases.entrySet()) {
      Path dir = base.getValue().resolve(name);
      Files.createDirectories(dir);
      dirs.put(base.getKey(), dir);
    }
    Group group = new Group(v2, dirs, v2 ? null : bornInside, limits == null ? null : limits.pids());
    try {
      group.limit(limits);
    } catch (IOException e) {
      group.remove();
      throw e;
    }
    return Optional.of(group);
  }

  /** The cgroup(s) of one process of a node. */
  static final class Group {
    private final boolean v2;
    private final Map<String, Path> dirs;
    /** How a thread enters this group to start its process in it, if one can (v1: a thread moves alone). */
    private final BornInside enterable;
    private final Integer pidsLimit;

    Group(boolean v2, Map<String, Path> dirs, BornInside enterable, Integer pidsLimit) {
      this.v2 = v2;
      this.dirs = dirs;
      this.enterable = enterable;
      this.pidsLimit = pidsLimit;
    }

    /** Its name, the same in every hierarchy, as {@link Cgroups#groupOf} tells it. */
    String name() {
      return dirs.values().iterator().next().getFileName().toString();
    }

    /** The directories, one per hierarchy, for the process ledger. */
    List<Path> paths() {
      return List.copyOf(dirs.values());
    }

    private void limit(ProcessSpec.Limits limits) throws IOException {
      if (limits == null) {
        return;
      }
      if (limits.memory() != null) {
        write(v2 ? "" : "memory", v2 ? "memory.max" : "memory.limit_in_bytes", Long.toString(limits.memory()));
        if (v2) {
          writeIfThere("", "memory.swap.max", "0");
        }
      }
      if (limits.pids() != null) {
        write(v2 ? "" : "pids", "pids.max", Integer.toString(limits.pids()));
      }
      if (limits.cpu() != null) {
        long quota = Math.max(1000, Math.round(limits.cpu() * CPU_PERIOD_US));
        if (v2) {
          write("", "cpu.max", quota + " " + CPU_PERIOD_US);
        } else {
          write("cpu", "cpu.cfs_period_us", Long.toString(CPU_PERIOD_US));
          write("cpu", "cpu.cfs_quota_us", Long.toString(quota));
        }
      }
    }

    private void write(String controller, String file, String value) throws IOException {
      Path dir = dirs.get(controller);
      if (dir == null) {
        throw new IOException("the " + controller + " controller is not available to set " + file);
      }
      Files.writeString(dir.resolve(file), value);
    }

    private void writeIfThere(String controller, String file, String value) {
      try {
        write(controller, file, value);
      } catch (IOException e) {
        // optional
      }
    }

    /** The calling thread inside the group for one start, where it can be: {@link BornInside#enter}; else empty. */
    Optional<BornInside.Entered> enter() {
      return enterable == null ? Optional.empty() : enterable.enter(dirs, pidsLimit);
    }

    /** Puts {@code pid} in every hierarchy of the group. */
    void add(long pid) throws IOException {
      for (Path dir : dirs.values()) {
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
      }
    }

    /** The processes in the group (from its first hierarchy). */
    List<Long> pids() {
      return pids(dirs.values().iterator().next());
    }

    static List<Long> pids(Path dir) {
      List<Long> pids = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
          // This JVM is listed while one of its threads is inside to start a process (enter): never signal it.
          if (!line.isBlank() && Long.parseLong(line.trim()) != SELF) {
            pids.add(Long.parseLong(line.trim()));
          }
        }
      } catch (IOException | NumberFormatException e) {
        // gone
      }
      return pids;
    }

    /** How many processes of the group the kernel's OOM killer has killed. */
    long oomKills() {
      Path dir = dirs.get(v2 ? "" : "memory");
      if (dir == null) {
        return 0;
      }
      try {
        for (String line : Files.readAllLines(dir.resolve(v2 ? "memory.events" : "memory.oom_control"))) {
          if (line.startsWith("oom_kill ")) {
            return Long.parseLong(line.substring(9).trim());
          }
        }
      } catch (IOException | NumberFormatException e) {
        // no such counter here
      }
      return 0;
    }

    /** True while any process is in the group. */
    boolean alive() {
      return !pids().isEmpty();
    }

    /** One signal (SIGTERM, or SIGKILL if {@code force}) to every process in the group now; returns how many. */
    int signal(boolean force) {
      return signal(force, -1);
    }

    /**
     * Like {@link #signal(boolean)}, but not to the processes of session {@code signalledSession}
     * (signalled already): each process gets one SIGTERM, as systemd's control-group kill sends.
     */
    int signal(boolean force, long signalledSession) {
      int signalled = 0;
      for (long pid : pids()) {
        if (Sessions.stat(pid).map(stat -> stat.session() == signalledSession).orElse(false)) {
          continue;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent() && (force ? handle.get().destroyForcibly() : handle.get().destroy())) {
          signalled++;
        }
      }
      return signalled;
    }

    /** {@link #killAll}, for a clean-up that must not be interrupted. */
    void killAllQuietly() {
      try {
        killAll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** SIGKILL to every process in the group, frozen first where the machine can, until none is left (or 5 s). */
    int killAll() throws InterruptedException {
      return killAll(dirs.values().iterator().next(), v2, dirs.get("freezer"));
    }

    /** Kills what is in the cgroup at {@code dir} (a ledger's record, after a crash of the JVM); returns how many it signalled. */
    static int killAll(Path dir, boolean v2, Path freezer) throws InterruptedException {
      if (v2 && Files.exists(dir.resolve("cgroup.kill"))) {
        try {
          Files.writeString(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
          // killed one by one below
        }
      }
      freeze(freezer, v2 ? dir : null, true);
      int signalled = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      try {
        for (List<Long> left = pids(dir); !left.isEmpty() && System.nanoTime() < deadline; left = pids(dir)) {
          for (long pid : left) {
            if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
              signalled++;
            }
          }
          freeze(freezer, v2 ? dir : null, false); // a frozen process dies once thawed
          TimeUnit.MILLISECONDS.sleep(5);
        }
      } finally {
        freeze(freezer, v2 ? dir : null, false);
      }
      return signalled;
    }

    private static void freeze(Path freezer, Path v2Dir, boolean frozen) {
      try {
        if (freezer != null) {
          Files.writeString(freezer.resolve("freezer.state"), frozen ? "FROZEN" : "THAWED");
        } else if (v2Dir != null && Files.exists(v2Dir.resolve("cgroup.freeze"))) {
          Files.writeString(v2Dir.resolve("cgroup.freeze"), frozen ? "1" : "0");
        }
      } catch (IOException e) {
        // without a freezer, the kill loop catches what forks meanwhile
      }
    }

    /** Removes the group's directories once its processes are gone (an empty cgroup is removed with rmdir). */
    void remove() {
      for (Path dir : dirs.values()) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          log.debug("cannot remove cgroup {}: {}", dir, e.toString());
        }
      }
    }
  }
}
