-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_job_node_problem(node jsonb)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT CASE
        WHEN jsonb_typeof(node) <> 'object' THEN 'each job must be a JSON object'
        WHEN node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on,run_when}'::text[] <> '{}'
            THEN 'unknown field(s) '
                 || jsonb_path_query_array(node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on,run_when}'::text[],
                                           '$.keyvalue().key')::text
                 || '; expected key, task_name, queue_name, priority, lock, queueing_lock, args, scheduled_at, schedule_in, depends_on, run_when'
        WHEN node ? 'key' AND (jsonb_typeof(node->'key') <> 'string' OR node->>'key' = '')
            THEN 'key must be a non-empty string'
        WHEN jsonb_typeof(node->'task_name') IS DISTINCT FROM 'string' OR length(node->>'task_name') NOT BETWEEN 1 AND 128
            THEN 'task_name must be a string of 1 to 128 characters'
        WHEN jsonb_typeof(node->'queue_name') NOT IN ('string', 'null') OR length(node->>'queue_name') NOT BETWEEN 1 AND 128
            THEN 'queue_name must be a string of 1 to 128 characters'
        WHEN jsonb_typeof(node->'priority') NOT IN ('number', 'null')
             OR manana_json_number(node->'priority') <> trunc(manana_json_number(node->'priority'))
             OR manana_json_number(node->'priority') NOT BETWEEN -2147483648 AND 2147483647
            THEN 'priority must be an integer'
        WHEN jsonb_typeof(node->'lock') NOT IN ('string', 'null') THEN 'lock must be a string'
        WHEN jsonb_typeof(node->'queueing_lock') NOT IN ('string', 'null') THEN 'queueing_lock must be a string'
        WHEN jsonb_typeof(node->'scheduled_at') NOT IN ('string', 'null')
             OR (jsonb_typeof(node->'scheduled_at') = 'string' AND NOT manana_is_timestamptz(node->>'scheduled_at'))
            THEN 'scheduled_at must be a timestamp such as 2026-01-31T14:05:00Z'
        WHEN jsonb_typeof(node->'schedule_in') NOT IN ('number', 'null') OR manana_json_number(node->'schedule_in') < 0
            THEN 'schedule_in must be a number of seconds, 0 or more'
        WHEN jsonb_typeof(node->'scheduled_at') = 'string' AND jsonb_typeof(node->'schedule_in') = 'number'
            THEN 'give scheduled_at or schedule_in, not both'
        WHEN jsonb_typeof(node->'depends_on') NOT IN ('array', 'null')
            THEN 'depends_on must be an array of job ids (numbers) and keys (strings)'
        WHEN jsonb_path_exists(node, '$.depends_on[*] ? (!((@.type() == "string" && @ != "")
                 || (@.type() == "number" && @.floor() == @ && @ >= 1 && @ <= 9223372036854775807)))')
            THEN 'depends_on must hold job ids (positive integers) and keys (non-empty strings)'
        WHEN jsonb_typeof(node->'run_when') NOT IN ('string', 'null')
             OR node->>'run_when' NOT IN ('all_finished', 'all_succeeded', 'any_failed')
            THEN 'run_when must be all_finished, all_succeeded or any_failed'
    END
$function$;
