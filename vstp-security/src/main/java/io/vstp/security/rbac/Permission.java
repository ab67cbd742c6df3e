package io.vstp.security.rbac;

import io.vstp.transport.auth.Action;
import java.util.Locale;

/**
 * One grant of a role rule: {@code SERVICE[:ACCESS[:PATH-PREFIX]]} (docs/guide/security.md). {@code *} in SERVICE or
 * ACCESS matches anything; a missing ACCESS or PATH-PREFIX matches any. ACCESS is an operation's name ({@code stat})
 * or, for the files service, its class: {@code read} or {@code write} (services.md §2a). A path prefix matches whole
 * components: {@code docs} allows {@code docs} and {@code docs/a}, never {@code docs-old}.
 */
public record Permission(String service, String access, String pathPrefix) {
    private static final int MAX_TEXT = 1024;

    public static Permission parse(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a permission is SERVICE[:ACCESS[:PATH-PREFIX]], got '" + text + "'");
        }
        String[] parts = t.split(":", 3);
        String service = parts[0].strip();
        String access = parts.length > 1 ? parts[1].strip() : "*";
        String prefix = parts.length > 2 ? normalise(parts[2].strip()) : "";
        if (service.isEmpty() || access.isEmpty()) {
            throw new IllegalArgumentException("empty service or access in permission '" + text + "'");
        }
        return new Permission(service.toLowerCase(Locale.ROOT), access.toLowerCase(Locale.ROOT), prefix);
    }

    /** What {@code action} needs: for files, {@code read} or {@code write}; for other services, the operation. */
    static String accessOf(Action action) {
        if (action.service().equals("files")) {
            return switch (action.operation()) {
                case "list", "stat", "get", "get-stream" -> "read";
                case "put-begin", "put-chunk", "put-commit", "delete", "move" -> "write";
                default -> action.operation();
            };
        }
        return action.operation();
    }

    public boolean allows(Action action) {
        if (!service.equals("*") && !service.equals(action.service())) {
            return false;
        }
        if (!access.equals("*") && !access.equals(accessOf(action)) && !access.equals(action.operation())) {
            return false;
        }
        if (pathPrefix.isEmpty()) {
            return true;
        }
        String path = normalise(action.resource());
        if (climbs(path)) {
            return false; // "public/../secret" must not pass as "public" (the files service refuses it anyway)
        }
        return path.equals(pathPrefix) || path.startsWith(pathPrefix + "/");
    }

    private static boolean climbs(String path) {
        for (String component : path.split("[/\\\\]", -1)) {
            if (component.equals("..") || component.equals(".") || component.isEmpty() && !path.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Paths are relative with {@code /} (services.md §3); leading and trailing slashes do not matter here. */
    private static String normalise(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    @Override
    public String toString() {
        return service + ":" + access + (pathPrefix.isEmpty() ? "" : ":" + pathPrefix);
    }
}
