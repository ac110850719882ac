package io.shepherd.protocol;

import java.time.Instant;
import java.util.Arrays;

/**
 * A small state a node saved so that its next incarnation, on this host or another, can start
 * from it (EXOS checkpointing). Compared by content.
 *
 * @param data the bytes the node saved
 * @param at when it saved them
 */
public record Checkpoint(byte[] data, Instant at) implements CborSerializable {

  public Checkpoint {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint c && Arrays.equals(data, c.data) && at.equals(c.at);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data) * 31 + at.hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint[" + data.length + " bytes at " + at + "]";
  }
}
