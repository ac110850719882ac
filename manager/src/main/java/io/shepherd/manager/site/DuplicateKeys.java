package io.shepherd.manager.site;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds node declarations that appear twice: HOCON would merge them silently, the second
 * overriding parts of the first. A small scanner of the HOCON text (comments, strings, braces,
 * dotted keys); it looks at keys only, never at values.
 */
final class DuplicateKeys {

  private DuplicateKeys() {}

  static List<String> find(String file, String text) {
    List<String> found = new ArrayList<>();
    Map<String, Integer> nodeLines = new LinkedHashMap<>();
    List<List<String>> stack = new ArrayList<>();
    stack.add(List.of());
    List<Integer> arrays = new ArrayList<>();
    int line = 1;
    List<String> pendingKey = null;
    int pendingLine = 0;
    boolean expectingValue = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        i++;
        expectingValue = false;
        pendingKey = null;
        continue;
      }
      if (Character.isWhitespace(c) || c == ',') {
        i++;
        if (c == ',') {
          expectingValue = false;
          pendingKey = null;
        }
        continue;
      }
      if (c == '#' || (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '"') {
        int start = i;
        if (text.startsWith("\"\"\"", i)) {
          int end = text.indexOf("\"\"\"", i + 3);
          end = end < 0 ? text.length() : end + 3;
          line += (int) text.substring(i, end).chars().filter(ch -> ch == '\n').count();
          i = end;
        } else {
          i++;
          while (i < text.length() && text.charAt(i) != '"' && text.charAt(i) != '\n') {
            i += text.charAt(i) == '\\' ? 2 : 1;
          }
          i = Math.min(text.length(), i + 1);
        }
        if (!expectingValue && arrays.isEmpty()) {
          pendingKey = List.of(text.substring(start + 1, Math.max(start + 1, i - 1)));
          pendingLine = line;
        }
        continue;
      }
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = text.indexOf('}', i);
        i = end < 0 ? text.length() : end + 1;
        continue;
      }
      if (c == '[') {
        arrays.add(stack.size());
        i++;
        continue;
      }
      if (c == ']') {
        if (!arrays.isEmpty()) {
          arrays.remove(arrays.size() - 1);
        }
        expectingValue = false;
        pendingKey = null;
        i++;
        continue;
      }
      if (c == '{') {
        List<String> path = new ArrayList<>(stack.get(stack.size() - 1));
        if (arrays.isEmpty() && pendingKey != null) {
          path.addAll(pendingKey);
          if (path.size() == 6 && path.get(0).equals("hosts") && path.get(2).equals("groups") && path.get(4).equals("nodes")) {
            String node = path.get(1) + "/" + path.get(3) + "/" + path.get(5);
            Integer first = nodeLines.putIfAbsent(node, pendingLine);
            if (first != null) {
              found.add(file + ":" + pendingLine + ": node " + node + " is declared again (first at line " + first
                  + "); declare each node once");
            }
          }
        }
        stack.add(path);
        pendingKey = null;
        expectingValue = false;
        i++;
        continue;
      }
      if (c == '}') {
        if (stack.size() > 1) {
          stack.remove(stack.size() - 1);
        }
        pendingKey = null;
        expectingValue = false;
        i++;
        continue;
      }
      if (c == '=' || c == ':') {
        expectingValue = true;
        i++;
        continue;
      }
      if (c == '+' && i + 1 < text.length() && text.charAt(i + 1) == '=') {
        expectingValue = true;
        i += 2;
        continue;
      }
      int start = i;
      while (i < text.length() && "{}[],:=#\"\n+".indexOf(text.charAt(i)) < 0 && !Character.isWhitespace(text.charAt(i))
          && !(text.charAt(i) == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
        i++;
      }
      if (i == start) {
        i++;
        continue;
      }
      if (!expectingValue && arrays.isEmpty() && pendingKey == null) {
        pendingKey = List.of(text.substring(start, i).split("\\."));
        pendingLine = line;
      }
    }
    return found;
  }
}
