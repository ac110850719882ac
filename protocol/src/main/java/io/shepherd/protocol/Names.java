package io.shepherd.protocol;

import java.util.Set;
import java.util.regex.Pattern;

/** The rules for host ids, group names and node names, shared by every entry point. */
public final class Names {

  /** Longest name accepted for a host, group or node. */
  public static final int MAX_LENGTH = 64;

  /** Placement of a NodeGroup that may run on any host; never a host id. */
  public static final String ANY_HOST = "any";

  /** The {@code up}/{@code down} target that means every node; never a host id. */
  public static final String ALL = "all";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Set<String> RESERVED_HOST_IDS = Set.of(ANY_HOST, ALL);

  private Names() {}

  /**
   * Returns {@code value} if it is a valid name.
   *
   * @param kind what the name names ("host id", "group name", "node name"), used in the error
   * @throws IllegalArgumentException saying what is wrong and what a valid name looks like
   */
  public static String check(String kind, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(kind + " is empty; " + rule());
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          kind + " '" + abbreviate(value) + "' is " + value.length() + " characters long; " + rule());
    }
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(kind + " '" + abbreviate(value) + "' is not valid; " + rule());
    }
    return value;
  }

  /** Like {@link #check} for a host id, which also may not be a reserved word. */
  public static String checkHostId(String value) {
    check("host id", value);
    if (RESERVED_HOST_IDS.contains(value)) {
      throw new IllegalArgumentException(
          "host id '" + value + "' is reserved (it means " + (value.equals(ANY_HOST) ? "any host" : "every node")
              + "); choose another host id");
    }
    return value;
  }

  /** Like {@link #checkHostId} but also accepts {@value #ANY_HOST}: the placement of a group. */
  public static String checkPlacement(String value) {
    return ANY_HOST.equals(value) ? value : checkHostId(value);
  }

  static String rule() {
    return "use 1 to " + MAX_LENGTH + " characters from A-Z a-z 0-9 _ . - starting with a letter or digit";
  }

  /** Cuts a user-supplied value so that an error message stays readable. */
  public static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 77) + "...";
  }
}
