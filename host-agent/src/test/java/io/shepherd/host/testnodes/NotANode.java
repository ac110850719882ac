package io.shepherd.host.testnodes;

/** A class in an allowed package that is not a node. */
public final class NotANode {}
