package io.shepherd.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.shepherd.protocol.CborSerializable;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The types that cross JVMs ({@link CborSerializable}), found on the class path, and the check that none travels by class name. */
public final class WireTypes {

  private WireTypes() {}

  /**
   * Every concrete {@link CborSerializable} class of Shepherd ({@code io.shepherd.*}) on the class
   * path: the module's own classes and every Shepherd jar or classes folder it depends on.
   */
  public static List<Class<?>> onClassPath() throws IOException, ClassNotFoundException {
    Set<String> names = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        Path root = path.resolve("io/shepherd");
        if (Files.isDirectory(root)) {
          try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class"))
                .forEach(f -> names.add(path.relativize(f).toString().replace(File.separatorChar, '.').replaceAll("\\.class$", "")));
          }
        }
      } else if (entry.endsWith(".jar") && path.getFileName().toString().startsWith("shepherd-") && Files.isRegularFile(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.startsWith("io/shepherd/") && name.endsWith(".class")) {
              names.add(name.replace('/', '.').replaceAll("\\.class$", ""));
            }
          }
        }
      }
    }
    List<Class<?>> types = new ArrayList<>();
    for (String name : names) {
      Class<?> type = Class.forName(name, false, WireTypes.class.getClassLoader());
      if (CborSerializable.class.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
        types.add(type);
      }
    }
    return types;
  }

  /**
   * Fails if {@code type}, a type it extends or implements, one of its fields (the annotation on the
   * field, and the field's type and type arguments), or a type nested in it, says to write a class
   * name on the wire ({@code @JsonTypeInfo} with anything but {@code Id.NAME}).
   */
  public static void assertNoClassNames(Class<?> type) {
    check(type, new HashSet<>());
  }

  private static void check(Type type, Set<Class<?>> seen) {
    if (type instanceof ParameterizedType parameterized) {
      check(parameterized.getRawType(), seen);
      for (Type argument : parameterized.getActualTypeArguments()) {
        check(argument, seen);
      }
      return;
    }
    if (!(type instanceof Class<?> c) || c.isPrimitive() || !seen.add(c)) {
      return;
    }
    annotation(c.getAnnotation(JsonTypeInfo.class), c.toString());
    if (!c.getName().startsWith("io.shepherd.")) {
      return; // JDK and library types: only their annotation counts
    }
    check(c.getGenericSuperclass(), seen);
    for (Type i : c.getGenericInterfaces()) {
      check(i, seen);
    }
    for (Field field : c.getDeclaredFields()) {
      if (!Modifier.isStatic(field.getModifiers())) {
        annotation(field.getAnnotation(JsonTypeInfo.class), "field " + field);
        check(field.getGenericType(), seen);
      }
    }
    for (Class<?> nested : c.getDeclaredClasses()) {
      check(nested, seen);
    }
  }

  private static void annotation(JsonTypeInfo info, String where) {
    if (info != null) {
      assertEquals(JsonTypeInfo.Id.NAME, info.use(), where + " must name its subtypes, not use class names");
    }
  }
}
