-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_nodes_on_cycles(n integer, child_nodes integer[], parent_nodes integer[])
 RETURNS integer[]
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
DECLARE
    waiting_on integer[] := array_fill(0, ARRAY[n]);
    first_edge integer[] := array_fill(0, ARRAY[n + 1]);
    children integer[];
    ready integer[] := '{}';
    done integer := 0;
    node integer;
    i integer;
BEGIN
    -- Children of each node, grouped by parent (compressed adjacency).
    children := ARRAY(SELECT e.child FROM unnest(child_nodes, parent_nodes) AS e (child, parent) ORDER BY e.parent);
    FOR i IN 1 .. coalesce(cardinality(child_nodes), 0) LOOP
        waiting_on[child_nodes[i]] := waiting_on[child_nodes[i]] + 1;
        first_edge[parent_nodes[i] + 1] := first_edge[parent_nodes[i] + 1] + 1;
    END LOOP;
    FOR i IN 2 .. n + 1 LOOP
        first_edge[i] := first_edge[i] + first_edge[i - 1];
    END LOOP;
    FOR i IN 1 .. n LOOP
        IF waiting_on[i] = 0 THEN ready := ready || i; END IF;
    END LOOP;
    WHILE done < cardinality(ready) LOOP
        done := done + 1;
        node := ready[done];
        FOR i IN first_edge[node] + 1 .. first_edge[node + 1] LOOP
            waiting_on[children[i]] := waiting_on[children[i]] - 1;
            IF waiting_on[children[i]] = 0 THEN ready := ready || children[i]; END IF;
        END LOOP;
    END LOOP;
    RETURN ARRAY(SELECT g FROM generate_series(1, n) AS g WHERE waiting_on[g] > 0);
END;
$function$;
