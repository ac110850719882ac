package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The id of a NodeGroup: {@code placement/group}, where the placement is the id of the host the
 * group is pinned to, or {@value Names#ANY_HOST} for a group that may run on any host. A path never
 * changes, even when an {@code any} group moves to another host.
 */
public record GroupPath(String placement, String group) {

  public GroupPath {
    Names.checkPlacement(placement);
    Names.check("group name", group);
  }

  /**
   * Parses {@code placement/group}.
   *
   * @throws IllegalArgumentException saying what is wrong, with an example of a valid path
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static GroupPath parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("group path is missing; expected HOST/GROUP, e.g. daq1/acq");
    }
    String[] parts = text.split("/", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "invalid group path '" + Names.abbreviate(text) + "': expected HOST/GROUP (or any/GROUP), e.g. daq1/acq");
    }
    return new GroupPath(parts[0], parts[1]);
  }

  /** True if the group may be placed on any host. */
  public boolean floating() {
    return Names.ANY_HOST.equals(placement);
  }

  public NodePath node(String node) {
    return new NodePath(placement, group, node);
  }

  @JsonValue
  @Override
  public String toString() {
    return placement + "/" + group;
  }
}
