package io.vstp.security.token;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which roles a token's claims grant: the value at a claim path, optionally mapped to the server's role names. Used
 * by {@link JwtAuthenticator} and {@link IntrospectionAuthenticator} alike, so both read roles the same way.
 *
 * <ul>
 *   <li>The path is a claim name, or dot-separated names into nested objects ({@code realm_access.roles}). A claim
 *       whose own name contains dots ({@code https://example.com/roles}) is found too: the whole path is tried as one
 *       name first.</li>
 *   <li>The value is a JSON array of strings ({@code groups}) or one string of values separated by spaces or commas
 *       ({@code scope}); anything else grants nothing.</li>
 *   <li>Without a mapping each value is a role as it is. With one, each value becomes the roles it maps to, and
 *       values it does not name are dropped (so an identity provider's unrelated groups grant nothing).</li>
 * </ul>
 * Immutable.
 */
public final class ClaimRoles {
    private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");
    private static final ClaimRoles NONE = new ClaimRoles(null, null);

    private final String claimPath;
    private final Map<String, Set<String>> mapping;

    private ClaimRoles(String claimPath, Map<String, Set<String>> mapping) {
        this.claimPath = claimPath;
        this.mapping = mapping;
    }

    /** Grants no roles at all. */
    public static ClaimRoles none() {
        return NONE;
    }

    /** Roles are the values at {@code claimPath}, as they are. */
    public static ClaimRoles of(String claimPath) {
        return new ClaimRoles(checkPath(claimPath), null);
    }

    /**
     * Roles are the values at {@code claimPath} mapped through {@code mapping} (claim value to the roles it grants);
     * values the mapping does not name are dropped.
     */
    public static ClaimRoles of(String claimPath, Map<String, ? extends Collection<String>> mapping) {
        Objects.requireNonNull(mapping, "mapping");
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        mapping.forEach((value, roles) -> copy.put(
                Objects.requireNonNull(value, "mapped claim value"),
                Set.copyOf(Objects.requireNonNull(roles, "roles of " + value))));
        return new ClaimRoles(checkPath(claimPath), Map.copyOf(copy));
    }

    private static String checkPath(String claimPath) {
        Objects.requireNonNull(claimPath, "claimPath");
        if (claimPath.isBlank() || claimPath.startsWith(".") || claimPath.endsWith(".") || claimPath.contains("..")) {
            throw new IllegalArgumentException("bad role claim path: '" + claimPath + "'");
        }
        return claimPath;
    }

    /** The claim path, or empty for {@link #none()}. */
    public Optional<String> claimPath() {
        return Optional.ofNullable(claimPath);
    }

    /** The mapping from claim values to roles, or empty when values are roles as they are. */
    public Optional<Map<String, Set<String>>> mapping() {
        return Optional.ofNullable(mapping);
    }

    /** The roles these claims grant (sorted; empty when the claim is absent or of another type). */
    public Set<String> roles(Map<String, ?> claims) {
        Set<String> roles = new TreeSet<>();
        if (claimPath == null) {
            return roles;
        }
        for (String value : values(find(claims))) {
            if (mapping == null) {
                roles.add(value);
            } else {
                roles.addAll(mapping.getOrDefault(value, Set.of()));
            }
        }
        return roles;
    }

    private Object find(Map<String, ?> claims) {
        if (claims.containsKey(claimPath)) {
            return claims.get(claimPath);
        }
        Object node = claims;
        for (String name : claimPath.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(name);
        }
        return node;
    }

    private static List<String> values(Object value) {
        if (value instanceof String s) {
            return SEPARATORS.splitAsStream(s.strip()).filter(v -> !v.isEmpty()).toList();
        }
        if (value instanceof Collection<?> list) {
            return list.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .filter(v -> !v.isBlank())
                    .toList();
        }
        return List.of();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClaimRoles other
                && Objects.equals(claimPath, other.claimPath)
                && Objects.equals(mapping, other.mapping);
    }

    @Override
    public int hashCode() {
        return Objects.hash(claimPath, mapping);
    }

    @Override
    public String toString() {
        return claimPath == null
                ? "ClaimRoles[none]"
                : "ClaimRoles[" + claimPath + (mapping == null ? "" : ", mapped " + mapping.keySet()) + "]";
    }
}
