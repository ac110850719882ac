package io.shepherd.protocol;

/**
 * Marker for every message and value that crosses a JVM. Bound to Akka's {@code jackson-cbor}
 * serializer in {@code reference.conf}; Java serialization stays off.
 */
public interface CborSerializable {}
