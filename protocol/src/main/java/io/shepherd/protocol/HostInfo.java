package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
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
 * @param allowedExecutables the executables (paths or globs) its process nodes may run; empty: none
 */
public record HostInfo(String hostId, String address, long memberUid, List<String> nodeTypes, List<String> allowedPackages,
                       long incarnation, List<String> allowedExecutables, String containment)
    implements CborSerializable {

  @JsonCreator
  public HostInfo {
    nodeTypes = List.copyOf(nodeTypes);
    allowedPackages = List.copyOf(allowedPackages);
    allowedExecutables = allowedExecutables == null ? List.of() : List.copyOf(allowedExecutables);
    containment = containment == null ? "sessions" : containment;
  }

  /** A host whose processes are contained by their sessions only. */
  public HostInfo(String hostId, String address, long memberUid, List<String> nodeTypes, List<String> allowedPackages, long incarnation,
                  List<String> allowedExecutables) {
    this(hostId, address, memberUid, nodeTypes, allowedPackages, incarnation, allowedExecutables, null);
  }

  /**
   * True if this host may have a node type by that name: registered, a class in an allowed
   * package, or {@value NodeSpec#PROCESS} if it allows any executable.
   */
  public boolean mayHaveType(String type) {
    return nodeTypes.contains(type) || allowsClass(type) || (NodeSpec.PROCESS.equals(type) && !allowedExecutables.isEmpty());
  }

  /** True if {@code className} is in one of the allowed packages (or their sub-packages). */
  public boolean allowsClass(String className) {
    return allowedPackages.stream().anyMatch(p -> className.startsWith(p + "."));
  }
}
