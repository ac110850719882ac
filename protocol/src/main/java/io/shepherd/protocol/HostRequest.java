package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

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
    @JsonSubTypes.Type(value = HostRequest.SetEnv.class, name = "set-env")})
public sealed interface HostRequest extends CborSerializable {

  /** Most ports one call may reserve or release. */
  int MAX_PORTS = 100;

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
