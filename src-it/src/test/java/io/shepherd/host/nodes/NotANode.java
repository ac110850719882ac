package io.shepherd.host.nodes;

/** A class in an allowed node package that is not a Node: a host refuses to register or run it. */
public final class NotANode {}
