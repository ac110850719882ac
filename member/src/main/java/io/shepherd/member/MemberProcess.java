package io.shepherd.member;

import java.net.URI;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;

/** A member JVM started by a {@link LocalCluster}. */
public final class MemberProcess {

  private final String hostId;
  private final Set<String> roles;
  private final String hostname;
  private final int port;
  private final URI api;
  private final Path log;
  private final Process process;

  MemberProcess(String hostId, Set<String> roles, String hostname, int port, URI api, Path log, Process process) {
    this.hostId = hostId;
    this.roles = Set.copyOf(roles);
    this.hostname = hostname;
    this.port = port;
    this.api = api;
    this.log = log;
    this.process = process;
  }

  public String hostId() {
    return hostId;
  }

  public Set<String> roles() {
    return roles;
  }

  public int port() {
    return port;
  }

  /** The URL of its HTTP API (role manager), or null. */
  public URI api() {
    return api;
  }

  /** The loopback address it binds to and connects from. */
  public String hostname() {
    return hostname;
  }

  /** The member's address as it appears in status: {@code akka://shepherd@HOST:PORT}. */
  public String address() {
    return "akka://shepherd@" + hostname + ":" + port;
  }

  /** The file its stdout and stderr go to. */
  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The exit status of a member that has exited; empty while it runs. */
  public OptionalInt exitValue() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  Process process() {
    return process;
  }

  @Override
  public String toString() {
    return hostId + "@" + port + " (pid " + process.pid() + ")";
  }
}
