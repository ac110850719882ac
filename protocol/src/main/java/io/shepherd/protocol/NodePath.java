package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The id of a Node: {@code placement/group/node}, e.g. {@code daq1/acq/sine}. It is the key of a
 * node in every message, snapshot, log record and CLI command, and never changes while the node
 * exists (see {@link GroupPath} for placement).
 */
public record NodePath(String placement, String group, String node) implements Comparable<NodePath> {

  public NodePath {
    Names.checkPlacement(placement);
    Names.check("group name", group);
    Names.check("node name", node);
  }

  /**
   * Parses {@code placement/group/node}.
   *
   * @throws IllegalArgumentException saying what is wrong, with an example of a valid path
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static NodePath parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("node path is missing; expected HOST/GROUP/NODE, e.g. daq1/acq/sine");
    }
    String[] parts = text.split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "invalid node path '" + Names.abbreviate(text) + "': expected HOST/GROUP/NODE (or any/GROUP/NODE), e.g. daq1/acq/sine");
    }
    return new NodePath(parts[0], parts[1], parts[2]);
  }

  public GroupPath groupPath() {
    return new GroupPath(placement, group);
  }

  @Override
  public int compareTo(NodePath other) {
    return toString().compareTo(other.toString());
  }

  @JsonValue
  @Override
  public String toString() {
    return placement + "/" + group + "/" + node;
  }
}
