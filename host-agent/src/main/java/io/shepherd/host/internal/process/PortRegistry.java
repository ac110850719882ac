package io.shepherd.host.internal.process;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Free TCP and UDP ports of this host, reserved so that no two users get the same one (the
 * Architect node's {@code bind_tcp}/{@code bind_udp}). A port is found free by binding it on the
 * member's address and closing it again; it stays reserved, and is not handed out again, until released.
 * Ports a process node names with {@code ${port:NAME}} belong to the node and keep their number
 * across its restarts until it is removed. Thread-safe; binding is a quick system call.
 */
public final class PortRegistry {

  /** Most ports one call may reserve. */
  public static final int MAX_PER_CALL = 100;

  public enum Protocol { TCP, UDP }

  private final InetAddress address;
  private final Set<String> reserved = new HashSet<>();
  /** Ports of nodes, by node path, then by name. */
  private final Map<String, Map<String, Integer>> nodePorts = new HashMap<>();

  /** @param address the address ports are tried on: the member's own */
  public PortRegistry(InetAddress address) {
    this.address = address;
  }

  /**
   * Reserves {@code count} free ports.
   *
   * @throws IllegalArgumentException if count is not between 1 and {@value #MAX_PER_CALL}
   * @throws IOException if the system has no free port
   */
  public synchronized List<Integer> reserve(Protocol protocol, int count) throws IOException {
    if (count < 1 || count > MAX_PER_CALL) {
      throw new IllegalArgumentException("the number of ports must be between 1 and " + MAX_PER_CALL + ", got " + count);
    }
    List<Integer> ports = new ArrayList<>();
    try {
      while (ports.size() < count) {
        int port = freePort(protocol);
        if (reserved.add(key(protocol, port))) {
          ports.add(port);
        }
      }
      return ports;
    } catch (IOException e) {
      ports.forEach(p -> reserved.remove(key(protocol, p)));
      throw e;
    }
  }

  /**
   * Releases ports reserved with {@link #reserve}; unknown ones are ignored.
   *
   * @return the ports that were reserved and are free again
   */
  public synchronized List<Integer> release(Protocol protocol, List<Integer> ports) {
    List<Integer> released = new ArrayList<>();
    for (int port : ports) {
      boolean ofNode = nodePorts.values().stream().anyMatch(m -> protocol == Protocol.TCP && m.containsValue(port));
      if (!ofNode && reserved.remove(key(protocol, port))) {
        released.add(port);
      }
    }
    return released;
  }

  /** The TCP ports of a node by name, reserving those it does not have yet. */
  public synchronized Map<String, Integer> portsOf(String node, Set<String> names) throws IOException {
    Map<String, Integer> ports = nodePorts.computeIfAbsent(node, n -> new TreeMap<>());
    for (String name : names) {
      if (!ports.containsKey(name)) {
        ports.put(name, reserve(Protocol.TCP, 1).get(0));
      }
    }
    return Map.copyOf(ports);
  }

  /** Releases every port of a removed node. */
  public synchronized void releaseNode(String node) {
    Map<String, Integer> ports = nodePorts.remove(node);
    if (ports != null) {
      ports.values().forEach(p -> reserved.remove(key(Protocol.TCP, p)));
    }
  }

  /** Every reserved port of a protocol (clients' and nodes'), in ascending order. */
  public synchronized List<Integer> reserved(Protocol protocol) {
    String prefix = protocol + ":";
    return reserved.stream().filter(k -> k.startsWith(prefix)).map(k -> Integer.parseInt(k.substring(prefix.length()))).sorted().toList();
  }

  /** True if the port is reserved. */
  public synchronized boolean isReserved(Protocol protocol, int port) {
    return reserved.contains(key(protocol, port));
  }

  private int freePort(Protocol protocol) throws IOException {
    if (protocol == Protocol.TCP) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(address, 0));
        return socket.getLocalPort();
      }
    }
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(address, 0))) {
      return socket.getLocalPort();
    }
  }

  private static String key(Protocol protocol, int port) {
    return protocol + ":" + port;
  }
}
