package io.shepherd.host.internal.process;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The processes of a session, read from Linux's {@code /proc}, and signals to all of them. Every
 * process node runs in a session of its own (started by posix_spawn with POSIX_SPAWN_SETSID, or
 * through {@code setsid}), whose id is the pid of its first process; its children and
 * grandchildren stay in it unless they call {@code setsid} themselves. A session id cannot be reused while any process is still in the
 * session, so signalling by session id never hits a stranger. Blocking (file reads): call it from
 * node threads or the blocking dispatcher, never from an actor.
 */
public final class Sessions {

  private static final Path PROC = Path.of("/proc");

  private Sessions() {}

  /** What {@code /proc/PID/stat} says of a process. */
  public record Stat(long pid, char state, long parent, long processGroup, long session, long startTicks) {

    /** True for a process that has exited and waits to be reaped: it runs nothing any more. */
    public boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  /** The {@code setsid} program (util-linux), if this machine has one. Looks at files: not on an actor's thread. */
  public static Optional<String> setsid() {
    return Stream.of("/usr/bin/setsid", "/bin/setsid").filter(p -> Files.isExecutable(Path.of(p))).findFirst();
  }

  /**
   * Starts {@code bash -c script} in a session of its own (with setsid, when there is one), its
   * output discarded: a guard that a kill of its starter's process group leaves running, and that
   * reads its orders from its stdin ({@link Process#getOutputStream}).
   */
  public static Process bashInOwnSession(String script) throws IOException {
    List<String> command = new ArrayList<>();
    setsid().ifPresent(command::add);
    command.addAll(List.of("bash", "-c", script));
    return new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The stat of a live process, or empty if it is gone (or {@code /proc} is not there). */
  public static Optional<Stat> stat(long pid) {
    return Optional.ofNullable(read(pid, new byte[STAT_BUFFER]));
  }

  private static final int STAT_BUFFER = 1024;

  /** Reads {@code /proc/PID/stat} with plain file calls (a scan reads hundreds of them); null if the process is gone. */
  private static Stat read(long pid, byte[] buffer) {
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      int length = 0;
      for (int n = in.read(buffer); n > 0 && length < buffer.length; n = in.read(buffer, length, buffer.length - length)) {
        length += n;
      }
      return parse(pid, new String(buffer, 0, length, StandardCharsets.ISO_8859_1));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * True if process {@code pid} has no child now, as its threads' {@code children} files in
   * /proc say; false if it has one, or if that cannot be read (no such process, or a kernel without
   * those files).
   */
  public static boolean childless(long pid) {
    Path taskDir = PROC.resolve(Long.toString(pid)).resolve("task");
    String[] tasks = taskDir.toFile().list();
    if (tasks == null) {
      return false;
    }
    try {
      for (String task : tasks) {
        if (!Files.readString(taskDir.resolve(task).resolve("children")).isBlank()) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The start time of a live process in clock ticks since boot: with the pid, it names one process for good. */
  public static OptionalLong startTicks(long pid) {
    return stat(pid).map(s -> OptionalLong.of(s.startTicks())).orElse(OptionalLong.empty());
  }

  /** The pids of every live process in session {@code sid}, zombies left out. */
  public static List<Long> members(long sid) {
    List<Long> members = new ArrayList<>();
    String[] names = PROC.toFile().list();
    if (names == null) {
      return members; // no /proc: nothing can be found
    }
    byte[] buffer = new byte[STAT_BUFFER];
    for (String name : names) {
      if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
        continue;
      }
      long pid;
      try {
        pid = Long.parseLong(name);
      } catch (NumberFormatException e) {
        continue;
      }
      Stat stat = read(pid, buffer);
      if (stat != null && stat.session() == sid && !stat.zombie()) {
        members.add(pid);
      }
    }
    return members;
  }

  /**
   * Sends SIGTERM ({@code force} false) or SIGKILL ({@code force} true) to every process of session
   * {@code sid} and to the descendants of its leader that left it.
   *
   * @return how many processes were signalled
   */
  public static int signal(long sid, boolean force) {
    List<ProcessHandle> targets = new ArrayList<>();
    ProcessHandle.of(sid).ifPresent(leader -> {
      targets.add(leader);
      leader.descendants().forEach(targets::add);
    });
    for (long pid : members(sid)) {
      ProcessHandle.of(pid).ifPresent(targets::add);
    }
    int signalled = 0;
    for (ProcessHandle process : targets.stream().distinct().toList()) {
      if (process.pid() == ProcessHandle.current().pid()) {
        continue;
      }
      if (force ? process.destroyForcibly() : process.destroy()) {
        signalled++;
      }
    }
    return signalled;
  }

  /** True while any process of session {@code sid} lives. */
  public static boolean alive(long sid) {
    return !members(sid).isEmpty();
  }

  /** The id of the boot this machine is in: a record from another boot names no live process. */
  public static String bootId() {
    try {
      return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static Stat parse(long pid, String stat) {
    // pid (comm) state ppid pgrp session ... ; comm may hold spaces and parentheses.
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 2).trim().split(" ");
    // fields[0] is the state (field 3 of the man page); field n is fields[n - 3].
    return new Stat(pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]),
        Long.parseLong(fields[19]));
  }
}
