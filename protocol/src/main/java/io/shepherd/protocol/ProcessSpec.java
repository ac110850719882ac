package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an OS-process node runs (OCS HostManager, the Architect node). The process starts in a
 * session of its own; {@code RUNNING} is "up" and {@code STOPPED} is "down". Stopping sends SIGTERM
 * to the whole session, then SIGKILL after {@code stopGrace}.
 *
 * <p>The command and the env values may hold {@code ${port:NAME}}: the host reserves a free TCP
 * port for the node under that name, puts its number there, and releases it when the node is
 * removed; the same name gives the same port across the node's restarts.
 *
 * @param command the executable (an absolute path, or a name looked up in the host's PATH) and its
 *     arguments; the executable must be on the host's allow-list ({@code shepherd.host.process.allowed})
 * @param env environment variables added to the host's, for this process only
 * @param workingDir the absolute directory the process starts in; null: the member's
 * @param stdin true to keep the process's stdin open for {@code sendInput}; otherwise it reads end-of-file
 * @param stopGrace how long a stop waits after SIGTERM before SIGKILL
 * @param limits what the process and its children may use (memory, CPU, processes), enforced by the
 *     host's cgroups; null: no limits
 */
public record ProcessSpec(List<String> command, Map<String, String> env, String workingDir, boolean stdin, Duration stopGrace,
                          Limits limits)
    implements CborSerializable {

  /**
   * Limits of a process node, over all its processes (systemd's {@code MemoryMax=},
   * {@code CPUQuota=}, {@code TasksMax=}); each null when not limited. A process killed for want
   * of memory is a crash with reason {@code oom}.
   *
   * @param memory most bytes of memory (at least 1 MiB)
   * @param cpu most CPUs' worth of time, e.g. 1.5 (above 0, at most 1024)
   * @param pids most processes and threads (1 to 4,194,304)
   */
  public record Limits(Long memory, Double cpu, Integer pids) implements CborSerializable {
    public Limits {
      if (memory != null && (memory < 1024 * 1024 || memory > (1L << 50))) {
        throw new IllegalArgumentException("a memory limit must be between 1 MiB and 1 PiB, got " + memory + " bytes");
      }
      if (cpu != null && (!(cpu > 0) || cpu > 1024)) {
        throw new IllegalArgumentException("a cpu limit must be above 0 and at most 1024 CPUs, got " + cpu);
      }
      if (pids != null && (pids < 1 || pids > 4_194_304)) {
        throw new IllegalArgumentException("a pids limit must be between 1 and 4194304, got " + pids);
      }
    }

    /** True if nothing is limited. */
    public boolean none() {
      return memory == null && cpu == null && pids == null;
    }
  }

  /** The stop grace when none is given. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);
  /** The longest stop grace accepted. */
  public static final Duration MAX_STOP_GRACE = Duration.ofMinutes(10);
  /** Most arguments a command may have, the executable included. */
  public static final int MAX_ARGS = 256;
  /** Most environment variables a spec may set. */
  public static final int MAX_ENV = 256;
  /** Longest argument, env value or working directory. */
  public static final int MAX_LENGTH = 8192;
  /** Environment variables a spec may not set: they would run other code inside an allowed executable. */
  public static final Set<String> FORBIDDEN_ENV = Set.of("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_DEBUG_OUTPUT");

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** {@code ${port:NAME}}, NAME as a node name. */
  public static final Pattern PORT_REFERENCE = Pattern.compile("\\$\\{port:([^}]*)}");

  @JsonCreator
  public ProcessSpec {
    if (command == null || command.isEmpty()) {
      throw new IllegalArgumentException("a process node needs a command: the executable and its arguments, e.g. [\"/usr/bin/python3\", \"daq.py\"]");
    }
    if (command.size() > MAX_ARGS) {
      throw new IllegalArgumentException("the command has " + command.size() + " arguments; at most " + MAX_ARGS + " are allowed");
    }
    List<String> args = new ArrayList<>(command.size());
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      if (arg == null) {
        throw new IllegalArgumentException("argument " + i + " of the command is null");
      }
      if (arg.length() > MAX_LENGTH) {
        throw new IllegalArgumentException("argument " + i + " of the command is longer than " + MAX_LENGTH + " characters");
      }
      if (arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument " + i + " of the command contains a NUL character");
      }
      checkPortReferences("argument " + i + " of the command", arg);
      args.add(arg);
    }
    if (args.get(0).isBlank()) {
      throw new IllegalArgumentException("the executable (the first element of the command) is empty");
    }
    if (PORT_REFERENCE.matcher(args.get(0)).find()) {
      throw new IllegalArgumentException("the executable (the first element of the command) may not hold ${port:...}");
    }
    command = Collections.unmodifiableList(args);
    env = env == null ? Map.of() : checkEnv(env);
    if (workingDir != null && (workingDir.isBlank() || !workingDir.startsWith("/") || workingDir.length() > MAX_LENGTH
        || workingDir.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("working directory '" + Names.abbreviate(String.valueOf(workingDir))
          + "' must be an absolute path, e.g. /home/daq/run");
    }
    stopGrace = stopGrace == null ? DEFAULT_STOP_GRACE : stopGrace;
    limits = limits == null || limits.none() ? null : limits;
    if (stopGrace.isNegative() || stopGrace.compareTo(MAX_STOP_GRACE) > 0) {
      throw new IllegalArgumentException("stop grace must be between 0 s and " + MAX_STOP_GRACE.toMinutes() + " min, got " + stopGrace);
    }
  }

  /** A process without limits. */
  public ProcessSpec(List<String> command, Map<String, String> env, String workingDir, boolean stdin, Duration stopGrace) {
    this(command, env, workingDir, stdin, stopGrace, null);
  }

  /** A process with no extra env, the member's working directory, stdin closed and the default stop grace. */
  public static ProcessSpec of(String... command) {
    return new ProcessSpec(List.of(command), Map.of(), null, false, DEFAULT_STOP_GRACE);
  }

  public ProcessSpec withLimits(Limits newLimits) {
    return new ProcessSpec(command, env, workingDir, stdin, stopGrace, newLimits);
  }

  public ProcessSpec withEnv(Map<String, String> newEnv) {
    return new ProcessSpec(command, newEnv, workingDir, stdin, stopGrace, limits);
  }

  public ProcessSpec withStdin(boolean open) {
    return new ProcessSpec(command, env, workingDir, open, stopGrace, limits);
  }

  public ProcessSpec withStopGrace(Duration grace) {
    return new ProcessSpec(command, env, workingDir, stdin, grace, limits);
  }

  /** This spec with another command (a probe's, to check against the host's allow-list with the same env). */
  public ProcessSpec withCommandOf(List<String> other) {
    return new ProcessSpec(other, env, workingDir, stdin, stopGrace, limits);
  }

  public ProcessSpec withWorkingDir(String dir) {
    return new ProcessSpec(command, env, dir, stdin, stopGrace, limits);
  }

  /** The names of the ports the command and env refer to with {@code ${port:NAME}}, sorted. */
  public Set<String> portNames() {
    Set<String> names = new TreeSet<>();
    command.forEach(arg -> collectPorts(arg, names));
    env.values().forEach(value -> collectPorts(value, names));
    return names;
  }

  /** {@code text} with every {@code ${port:NAME}} replaced by {@code ports.get(NAME)}. */
  public static String fillPorts(String text, Map<String, Integer> ports) {
    Matcher m = PORT_REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Integer port = ports.get(m.group(1));
      if (port == null) {
        throw new IllegalArgumentException("no port reserved under the name " + m.group(1));
      }
      m.appendReplacement(out, port.toString());
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Adds to {@code names} the names of the ports {@code text} refers to with {@code ${port:NAME}}. */
  public static void collectPorts(String text, Set<String> names) {
    Matcher m = PORT_REFERENCE.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
  }

  /** Checks every {@code ${port:NAME}} in {@code text} names a port validly; {@code where} for the message. */
  public static void checkPortReferences(String where, String text) {
    Matcher m = PORT_REFERENCE.matcher(text);
    while (m.find()) {
      try {
        Names.check("port name", m.group(1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": ${port:" + Names.abbreviate(m.group(1)) + "} is not valid: " + e.getMessage());
      }
    }
  }

  private static Map<String, String> checkEnv(Map<String, String> env) {
    if (env.size() > MAX_ENV) {
      throw new IllegalArgumentException("the env has " + env.size() + " variables; at most " + MAX_ENV + " are allowed");
    }
    TreeMap<String, String> copy = new TreeMap<>();
    env.forEach((name, value) -> {
      if (name == null || !ENV_NAME.matcher(name).matches() || name.length() > 256) {
        throw new IllegalArgumentException("env variable name '" + Names.abbreviate(String.valueOf(name))
            + "' is not valid; use letters, digits and _, not starting with a digit");
      }
      if (FORBIDDEN_ENV.contains(name)) {
        throw new IllegalArgumentException("env variable " + name + " may not be set by a node spec: it would load other code "
            + "into the allowed executable");
      }
      if (value == null || value.length() > MAX_LENGTH || value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("env variable " + name + " must have a value of at most " + MAX_LENGTH
            + " characters without NUL");
      }
      checkPortReferences("env variable " + name, value);
      copy.put(name, value);
    });
    return Collections.unmodifiableMap(copy);
  }
}
