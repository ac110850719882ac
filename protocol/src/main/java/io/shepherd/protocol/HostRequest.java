package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Locale;

/**
 * A call on a host itself rather than on one of its nodes (the Architect node's port and
 * environment calls). Crosses the wire by subtype name, never by class name.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "call")
@JsonSubTypes({
    @JsonSubTypes.Type(value = HostRequest.BindPorts.class, name = "bind-ports"),
    @JsonSubTypes.Type(value = HostRequest.ReleasePorts.class, name = "release-ports"),
    @JsonSubTypes.Type(value = HostRequest.ListPorts.class, name = "list-ports"),
    @JsonSubTypes.Type(value = HostRequest.GetEnv.class, name = "get-env"),
    @JsonSubTypes.Type(value = HostRequest.SetEnv.class, name = "set-env"),
    @JsonSubTypes.Type(value = HostRequest.SetLogLevel.class, name = "set-log-level")})
public sealed interface HostRequest extends CborSerializable {

  /** Most ports one call may reserve or release. */
  int MAX_PORTS = 100;

  /**
   * Set a log level at run time (Architect's {@code set_log_level}): of the whole host ({@code
   * target} {@value #HOST_TARGET}), of one node's records ({@code node:PATH}), or of one logger
   * ({@code logger:NAME}); {@code level} TRACE, DEBUG, INFO, WARN, ERROR or OFF, or
   * {@value #DEFAULT_LEVEL} to go back to the configured one. Answered with the host's levels.
   */
  record SetLogLevel(String target, String level) implements HostRequest {
    public SetLogLevel {
      level = checkLevel(level);
      if (target == null || !(target.equals(HOST_TARGET) || target.startsWith("node:") || target.startsWith("logger:"))) {
        throw new IllegalArgumentException("a log level's target is host, node:PATH or logger:NAME, not '"
            + Names.abbreviate(String.valueOf(target)) + "'");
      }
      if (target.startsWith("node:")) {
        NodePath.parse(target.substring(5));
      }
      if (target.startsWith("logger:") && !target.substring(7).matches("[A-Za-z0-9_$.\\-]{1,256}")) {
        throw new IllegalArgumentException("logger name '" + Names.abbreviate(target.substring(7)) + "' is not valid: letters, digits, "
            + "'.', '_', '$' and '-', at most 256");
      }
    }
  }

  /** The target of a host's own level. */
  String HOST_TARGET = "host";
  /** The level that undoes a log level set at run time. */
  String DEFAULT_LEVEL = "DEFAULT";

  /** A level name in any case ({@code default} included), upper-cased; else why not. */
  static String checkLevel(String level) {
    String upper = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
    if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", DEFAULT_LEVEL).contains(upper)) {
      throw new IllegalArgumentException("log level must be TRACE, DEBUG, INFO, WARN, ERROR, OFF or default, not '"
          + Names.abbreviate(String.valueOf(level)) + "'");
    }
    return upper;
  }

  /** Reserve {@code count} free ports (TCP, or UDP if {@code udp}); answered with their numbers. */
  record BindPorts(boolean udp, int count) implements HostRequest {
    public BindPorts {
      if (count < 1 || count > MAX_PORTS) {
        throw new IllegalArgumentException("the number of ports must be between 1 and " + MAX_PORTS + ", got " + count);
      }
    }
  }

  /** Release ports reserved with {@link BindPorts}; answered with those that were reserved. */
  record ReleasePorts(boolean udp, List<Integer> ports) implements HostRequest {
    public ReleasePorts {
      if (ports == null || ports.isEmpty() || ports.size() > MAX_PORTS) {
        throw new IllegalArgumentException("give 1 to " + MAX_PORTS + " ports to release");
      }
      for (Integer port : ports) {
        if (port == null || port < 1 || port > 65535) {
          throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
      }
      ports = List.copyOf(ports);
    }
  }

  /** The ports reserved on the host (TCP, or UDP if {@code udp}): by clients and for nodes' named ports. */
  record ListPorts(boolean udp) implements HostRequest {}

  /** The value of a variable of the host environment ({@code name} null: all of them). */
  record GetEnv(String name) implements HostRequest {
    public GetEnv {
      if (name != null) {
        checkName(name);
      }
    }
  }

  /** Set a variable of the host environment, for processes started afterwards ({@code value} null: remove it). */
  record SetEnv(String name, String value) implements HostRequest {
    public SetEnv {
      checkName(name);
      if (value != null && (value.length() > ProcessSpec.MAX_LENGTH || value.indexOf('\0') >= 0)) {
        throw new IllegalArgumentException("the value of " + name + " must be at most " + ProcessSpec.MAX_LENGTH
            + " characters without NUL");
      }
    }
  }

  private static void checkName(String name) {
    if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,255}")) {
      throw new IllegalArgumentException("environment variable name '" + Names.abbreviate(String.valueOf(name))
          + "' is not valid; use letters, digits and _, not starting with a digit");
    }
    if (ProcessSpec.FORBIDDEN_ENV.contains(name)) {
      throw new IllegalArgumentException("environment variable " + name + " may not be set: it would load other code into "
          + "allowed executables");
    }
  }
}
