package io.shepherd.member;

import io.shepherd.protocol.Names;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How to start a member. Null fields take their value from the configuration.
 *
 * @param hostId the id of the host agent (role host); null: shepherd.host.id, else the hostname
 * @param hostname the address this member binds to and is reached at; null: from the configuration
 * @param port the cluster port; null: from the configuration
 * @param seeds seed nodes as {@code host:port}; null: from the configuration
 * @param roles {@code manager} and/or {@code host}; null: from the configuration
 * @param configFile the site's configuration file; null: none
 * @param initialState "up" or "down": every node of this host is requested so once it starts (OCS); null: none
 */
public record MemberOptions(String hostId, String hostname, Integer port, List<String> seeds, Set<String> roles, Path configFile,
                            String initialState) {

  /** Options without an initial state. */
  public MemberOptions(String hostId, String hostname, Integer port, List<String> seeds, Set<String> roles, Path configFile) {
    this(hostId, hostname, port, seeds, roles, configFile, null);
  }


  /** The roles a member may have. */
  public static final Set<String> MEMBER_ROLES = Set.of("manager", "host");

  public MemberOptions {
    if (hostId != null) {
      Names.checkHostId(hostId);
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    if (seeds != null) {
      seeds = List.copyOf(seeds);
      seeds.forEach(Seeds::parse);
    }
    if (initialState != null && !initialState.equals("up") && !initialState.equals("down")) {
      throw new IllegalArgumentException("--initial-state must be up or down, got '" + Names.abbreviate(initialState) + "'");
    }
    if (roles != null) {
      roles = Set.copyOf(roles);
      if (roles.isEmpty()) {
        throw new IllegalArgumentException("a member needs at least one role: manager, host or both");
      }
      for (String role : roles) {
        if (!MEMBER_ROLES.contains(role)) {
          throw new IllegalArgumentException("unknown role '" + Names.abbreviate(role) + "'; a member's roles are manager and host");
        }
      }
    }
  }
}
