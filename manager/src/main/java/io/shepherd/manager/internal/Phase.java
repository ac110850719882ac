package io.shepherd.manager.internal;

/** Where a group or node is in its life at the Manager. */
public enum Phase {
  /** Asked of its host; not yet desired state. Hidden from status. */
  CREATING,
  /** Desired state: the Manager keeps it running. */
  PRESENT,
  /** Deleted from desired state; its host is removing it. */
  REMOVING
}
