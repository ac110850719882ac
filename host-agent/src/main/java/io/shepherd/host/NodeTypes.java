package io.shepherd.host;

import io.shepherd.node.Node;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.Names;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The node types a host can run: a registry by name (from {@code shepherd.host.node-types}), and
 * classes loaded by fully qualified name from the allow-listed packages. Thread-safe. Resolving
 * may load classes: call it off the actor threads.
 */
public final class NodeTypes {

  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)+");

  private final String hostId;
  private final Map<String, String> registered;
  private final List<String> allowedPackages;
  private final ClassLoader loader;
  private final Map<String, Constructor<? extends Node>> resolved = new ConcurrentHashMap<>();

  public NodeTypes(String hostId, Map<String, String> registered, List<String> allowedPackages, ClassLoader loader) {
    this.hostId = hostId;
    this.registered = Map.copyOf(registered);
    this.allowedPackages = List.copyOf(allowedPackages);
    this.loader = loader;
  }

  public static NodeTypes create(HostSettings settings) {
    return new NodeTypes(settings.hostId(), settings.nodeTypes(), settings.allowedPackages(), NodeTypes.class.getClassLoader());
  }

  /** The registered type names, sorted. */
  public List<String> names() {
    return registered.keySet().stream().sorted().toList();
  }

  public List<String> allowedPackages() {
    return allowedPackages;
  }

  /**
   * Creates a new instance of the node type {@code type}.
   *
   * @throws NodeTypeException UNKNOWN_TYPE if there is no such type or class, NOT_ALLOWED if the
   *     class is outside the allowed packages, INVALID_ARGUMENT if the class is not a usable node
   * @throws Exception whatever the node's constructor throws
   */
  public Node newInstance(String type) throws Exception {
    Constructor<? extends Node> constructor = resolved.get(type);
    if (constructor == null) {
      constructor = resolve(type);
      resolved.put(type, constructor);
    }
    try {
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Checks that {@code type} names a usable node class on this host, loading it if needed. */
  public void check(String type) throws NodeTypeException {
    if (!resolved.containsKey(type)) {
      resolved.put(type, resolve(type));
    }
  }

  private Constructor<? extends Node> resolve(String type) throws NodeTypeException {
    String className = registered.get(type);
    if (className == null) {
      if (!CLASS_NAME.matcher(type).matches()) {
        throw new NodeTypeException(ErrorCode.UNKNOWN_TYPE, "unknown node type '" + Names.abbreviate(type) + "' on host "
            + hostId + ": not a registered type " + names() + " and not a class name");
      }
      if (!allowed(type)) {
        throw new NodeTypeException(ErrorCode.NOT_ALLOWED, "node class " + type + " is not allowed on host " + hostId
            + ": its package is not in shepherd.host.allowed-packages " + allowedPackages);
      }
      className = type;
    }
    Class<?> loaded;
    try {
      loaded = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new NodeTypeException(ErrorCode.UNKNOWN_TYPE, "node class " + className + " cannot be loaded on host " + hostId
          + ": " + e);
    }
    if (!registered.containsKey(type) && !allowed(loaded.getName())) {
      throw new NodeTypeException(ErrorCode.NOT_ALLOWED, "node class " + loaded.getName() + " is not allowed on host " + hostId);
    }
    if (!Node.class.isAssignableFrom(loaded)) {
      throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "class " + className + " does not implement " + Node.class.getName());
    }
    if (loaded.isInterface() || Modifier.isAbstract(loaded.getModifiers()) || !Modifier.isPublic(loaded.getModifiers())) {
      throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "node class " + className + " must be a public concrete class");
    }
    try {
      @SuppressWarnings("unchecked")
      Constructor<? extends Node> constructor = (Constructor<? extends Node>) loaded.getConstructor();
      return constructor;
    } catch (NoSuchMethodException e) {
      throw new NodeTypeException(ErrorCode.INVALID_ARGUMENT, "node class " + className + " has no public no-argument constructor");
    }
  }

  private boolean allowed(String className) {
    return allowedPackages.stream().anyMatch(p -> className.startsWith(p + ".")) && !className.contains("..");
  }
}
