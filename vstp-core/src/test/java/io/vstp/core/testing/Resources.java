package io.vstp.core.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (servers, clients, connections), closed in reverse order after it: one {@code @AfterEach}
 * calling {@link #close()} instead of a try block per resource. Every resource is closed even when one fails.
 */
public final class Resources implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Registers {@code resource} for closing and returns it. */
    public synchronized <T extends AutoCloseable> T use(T resource) {
        opened.add(resource);
        return resource;
    }

    @Override
    public synchronized void close() throws Exception {
        Exception first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }
}
