package io.shepherd.protocol;

import java.util.List;

/**
 * What a host agent tells the Manager about itself when it registers.
 *
 * @param hostId the host's id
 * @param address the cluster member it runs on
 * @param memberUid the uid of that member's incarnation: a restarted member on the same address has another
 * @param nodeTypes the names of the node types in its registry
 * @param allowedPackages the packages from which it loads node classes by name
 * @param incarnation a number that is new for every start of the host agent
 */
public record HostInfo(String hostId, String address, long memberUid, List<String> nodeTypes, List<String> allowedPackages, long incarnation)
    implements CborSerializable {

  public HostInfo {
    nodeTypes = List.copyOf(nodeTypes);
    allowedPackages = List.copyOf(allowedPackages);
  }

  /** True if this host may have a node type by that name: registered, or a class in an allowed package. */
  public boolean mayHaveType(String type) {
    return nodeTypes.contains(type) || allowsClass(type);
  }

  /** True if {@code className} is in one of the allowed packages (or their sub-packages). */
  public boolean allowsClass(String className) {
    return allowedPackages.stream().anyMatch(p -> className.startsWith(p + "."));
  }
}
