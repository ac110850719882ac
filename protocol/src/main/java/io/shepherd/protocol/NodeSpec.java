package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a node is: its type (a registered type name, a fully qualified class name, or
 * {@value #PROCESS} for an OS process), its params, its recovery mode, and optionally its own
 * restart policy (else the host's default).
 *
 * @param type the node type: a name in the host's registry, a class in an allow-listed package, or
 *     {@value #PROCESS}
 * @param params string parameters handed to {@code configure}; never null
 * @param mode how the node recovers from a crash
 * @param restart the restart policy, or null for the host's default
 * @param process what a {@value #PROCESS} node runs; null for every other type
 * @param autorestart whether the node is restarted after it ends (null: {@link Autorestart#ALWAYS})
 * @param readiness how Shepherd learns the node is ready (null: none, RUNNING once started); a
 *     process node takes notify, tcp, http or command, a Java node explicit
 * @param liveness how Shepherd learns the node is still alive (null: none); process nodes only (a
 *     Java node declares a keepalive deadline instead)
 * @param startTimeout how long a node with readiness may be STARTING before that is a crash
 *     ({@code not-ready}); null: {@link #DEFAULT_START_TIMEOUT}
 * @param dependsOn the nodes (on any host) that must be RUNNING, and ready, before this one starts;
 *     it is stopped before them (null: none)
 * @param onDependencyFailure what this node does when a dependency crashes (null: {@link DependencyFailure#KEEP})
 */
public record NodeSpec(String type, Map<String, String> params, Mode mode, RestartPolicy restart, ProcessSpec process,
                       Autorestart autorestart, Probe readiness, Probe liveness, Duration startTimeout, List<NodePath> dependsOn,
                       DependencyFailure onDependencyFailure)
    implements CborSerializable {

  /** Most dependencies a node may have. */
  public static final int MAX_DEPENDENCIES = 256;

  /** The start timeout when none is given (systemd's TimeoutStartSec default is 90 s; a lab's programs start sooner). */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

  /** The type of OS-process nodes. */
  public static final String PROCESS = "process";

  /** Longest type name accepted (a fully qualified class name). */
  public static final int MAX_TYPE_LENGTH = 256;
  /** Most params a node may have. */
  public static final int MAX_PARAMS = 256;
  /** Longest param key or value. */
  public static final int MAX_PARAM_LENGTH = 8192;

  @JsonCreator
  public NodeSpec {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("node type is empty; give a registered type name or a class name");
    }
    if (type.length() > MAX_TYPE_LENGTH) {
      throw new IllegalArgumentException("node type '" + Names.abbreviate(type) + "' is longer than " + MAX_TYPE_LENGTH + " characters");
    }
    params = params == null ? Map.of() : checkParams(params);
    mode = mode == null ? Mode.AUTO : mode;
    autorestart = autorestart == null ? Autorestart.ALWAYS : autorestart;
    if (PROCESS.equals(type) && process == null) {
      throw new IllegalArgumentException("a node of type process needs a command");
    }
    if (process != null && !PROCESS.equals(type)) {
      throw new IllegalArgumentException("only a node of type process has a command; '" + Names.abbreviate(type) + "' does not");
    }
    readiness = readiness == null ? Probe.NONE : readiness;
    liveness = liveness == null ? Probe.NONE : liveness;
    boolean forProcess = process != null;
    if (forProcess ? readiness.type() == Probe.Type.EXPLICIT : readiness.active() && readiness.type() != Probe.Type.EXPLICIT) {
      throw new IllegalArgumentException(forProcess
          ? "readiness explicit is for Java nodes (they call context.ready()); a process node takes notify, tcp, http or command"
          : "readiness " + readiness.type().spelling() + " is for process nodes; a Java node takes explicit (it calls context.ready())");
    }
    if (liveness.active() && (!forProcess || liveness.type() == Probe.Type.EXPLICIT)) {
      throw new IllegalArgumentException(forProcess ? "liveness takes notify, tcp, http or command, not explicit"
          : "liveness is for process nodes; a Java node declares a keepalive deadline and calls context.keepalive()");
    }
    startTimeout = startTimeout == null ? DEFAULT_START_TIMEOUT : startTimeout;
    if (startTimeout.isNegative() || startTimeout.isZero() || startTimeout.compareTo(Probe.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("start timeout must be above 0 and at most 24 h, got " + startTimeout);
    }
    dependsOn = dependsOn == null ? List.of() : List.copyOf(new LinkedHashSet<>(dependsOn));
    if (dependsOn.size() > MAX_DEPENDENCIES) {
      throw new IllegalArgumentException("a node depends on " + dependsOn.size() + " nodes; at most " + MAX_DEPENDENCIES + " are allowed");
    }
    onDependencyFailure = onDependencyFailure == null ? DependencyFailure.KEEP : onDependencyFailure;
  }

  /** A node without dependencies. */
  public NodeSpec(String type, Map<String, String> params, Mode mode, RestartPolicy restart, ProcessSpec process,
                  Autorestart autorestart, Probe readiness, Probe liveness, Duration startTimeout) {
    this(type, params, mode, restart, process, autorestart, readiness, liveness, startTimeout, null, null);
  }

  /** A node without readiness or liveness checks. */
  public NodeSpec(String type, Map<String, String> params, Mode mode, RestartPolicy restart, ProcessSpec process,
                  Autorestart autorestart) {
    this(type, params, mode, restart, process, autorestart, null, null, null);
  }

  /** A node restarted after every end ({@link Autorestart#ALWAYS}). */
  public NodeSpec(String type, Map<String, String> params, Mode mode, RestartPolicy restart, ProcessSpec process) {
    this(type, params, mode, restart, process, null);
  }

  /** A Java node without a process. */
  public NodeSpec(String type, Map<String, String> params, Mode mode, RestartPolicy restart) {
    this(type, params, mode, restart, null, null);
  }

  public static NodeSpec of(String type, Map<String, String> params) {
    return new NodeSpec(type, params, Mode.AUTO, null, null, null);
  }

  /** An OS-process node in AUTO mode. */
  public static NodeSpec process(ProcessSpec process) {
    return new NodeSpec(PROCESS, Map.of(), Mode.AUTO, null, process, null);
  }

  /** True for an OS-process node. */
  public boolean forProcess() {
    return process != null;
  }

  public NodeSpec withMode(Mode newMode) {
    return new NodeSpec(type, params, newMode, restart, process, autorestart, readiness, liveness, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withRestart(RestartPolicy policy) {
    return new NodeSpec(type, params, mode, policy, process, autorestart, readiness, liveness, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withType(String newType) {
    return new NodeSpec(newType, params, mode, restart, process, autorestart, readiness, liveness, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withAutorestart(Autorestart when) {
    return new NodeSpec(type, params, mode, restart, process, when, readiness, liveness, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withReadiness(Probe check) {
    return new NodeSpec(type, params, mode, restart, process, autorestart, check, liveness, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withLiveness(Probe check) {
    return new NodeSpec(type, params, mode, restart, process, autorestart, readiness, check, startTimeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withStartTimeout(Duration timeout) {
    return new NodeSpec(type, params, mode, restart, process, autorestart, readiness, liveness, timeout,
        dependsOn, onDependencyFailure);
  }

  public NodeSpec withDependsOn(List<NodePath> nodes) {
    return new NodeSpec(type, params, mode, restart, process, autorestart, readiness, liveness, startTimeout,
        nodes, onDependencyFailure);
  }

  public NodeSpec withOnDependencyFailure(DependencyFailure policy) {
    return new NodeSpec(type, params, mode, restart, process, autorestart, readiness, liveness, startTimeout,
        dependsOn, policy);
  }

  private static Map<String, String> checkParams(Map<String, String> params) {
    if (params.size() > MAX_PARAMS) {
      throw new IllegalArgumentException("a node has " + params.size() + " params; at most " + MAX_PARAMS + " are allowed");
    }
    TreeMap<String, String> copy = new TreeMap<>();
    params.forEach((key, value) -> {
      if (key == null || key.isEmpty() || key.length() > MAX_PARAM_LENGTH) {
        throw new IllegalArgumentException("param name must be 1 to " + MAX_PARAM_LENGTH + " characters, got '"
            + (key == null ? "null" : Names.abbreviate(key)) + "'");
      }
      if (value == null) {
        throw new IllegalArgumentException("param '" + Names.abbreviate(key) + "' has no value");
      }
      if (value.length() > MAX_PARAM_LENGTH) {
        throw new IllegalArgumentException("param '" + Names.abbreviate(key) + "' is longer than " + MAX_PARAM_LENGTH + " characters");
      }
      copy.put(key, value);
    });
    return Collections.unmodifiableMap(copy);
  }
}
