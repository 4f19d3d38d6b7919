/** The task a workflow definition's map steps run as (`manana_map:<definition>`): the workers that define it claim it. */
export const mapTaskPrefix = 'manana_map:'
export const mapTaskName = (definition: string) => `${mapTaskPrefix}${definition}`
