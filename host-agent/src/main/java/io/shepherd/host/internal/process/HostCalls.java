package io.shepherd.host.internal.process;

import io.shepherd.host.logs.LogLevels;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.ManagerProtocol;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Answers the calls on a host itself: ports, environment and log levels. Blocking (sockets,
 * files): call it off the actor threads.
 */
public final class HostCalls {

  private final ProcessHost host;
  private final LogLevels logLevels;

  public HostCalls(ProcessHost host, LogLevels logLevels) {
    this.host = host;
    this.logLevels = logLevels;
  }

  public ManagerProtocol.Reply answer(HostRequest request) {
    try {
      if (request instanceof HostRequest.SetLogLevel set) {
        String done = logLevels.set(set);
        return new ManagerProtocol.HostAnswer(done + " on host " + host.hostId(), null, null, logLevels.current());
      }
      if (request instanceof HostRequest.BindPorts bind) {
        List<Integer> ports = host.ports().reserve(protocol(bind.udp()), bind.count());
        return new ManagerProtocol.HostAnswer("reserved " + (bind.udp() ? "UDP" : "TCP") + " ports " + ports + " on host " + host.hostId(),
            ports, null);
      }
      if (request instanceof HostRequest.ReleasePorts release) {
        List<Integer> released = host.ports().release(protocol(release.udp()), release.ports());
        return new ManagerProtocol.HostAnswer("released " + released.size() + " of " + release.ports().size() + " ports on host "
            + host.hostId() + (released.size() < release.ports().size() ? " (the others were not reserved with bindTcp/bindUdp)" : ""),
            released, null);
      }
      if (request instanceof HostRequest.ListPorts list) {
        return new ManagerProtocol.HostAnswer((list.udp() ? "UDP" : "TCP") + " ports reserved on host " + host.hostId(),
            host.ports().reserved(protocol(list.udp())), null);
      }
      if (request instanceof HostRequest.GetEnv get) {
        Map<String, String> env = get.name() == null ? host.env().all()
            : host.env().get(get.name()).map(v -> Map.of(get.name(), v)).orElse(Map.of());
        return new ManagerProtocol.HostAnswer("environment of host " + host.hostId(), null, env);
      }
      HostRequest.SetEnv set = (HostRequest.SetEnv) request;
      host.env().set(set.name(), set.value());
      return new ManagerProtocol.HostAnswer((set.value() == null ? "removed " + set.name() + " from" : "set " + set.name() + " in")
          + " the environment of host " + host.hostId() + "; processes started from now on see it", null, host.env().all());
    } catch (IOException e) {
      return new ManagerProtocol.Failed(ErrorCode.INTERNAL, "host " + host.hostId() + " could not do it: " + e);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return new ManagerProtocol.Failed(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  private static PortRegistry.Protocol protocol(boolean udp) {
    return udp ? PortRegistry.Protocol.UDP : PortRegistry.Protocol.TCP;
  }
}
