// A workflow's input form, from the JSON Schema its definition announced: one field per
// property (text, number, a checkbox, or JSON for anything else), and the input the filled
// fields make. A field left empty is left out, so the definition's own default applies.

export type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'json'

export interface InputField {
  name: string
  kind: FieldKind
  required: boolean
  /** The schema's default, shown as the field's placeholder (or a checkbox's first state). */
  default: unknown
  description?: string
  /** The values a text field may take, when the schema lists them. */
  choices?: string[]
}

type Property = { type?: string | string[]; default?: unknown; description?: string; enum?: unknown[] }

function kindOf(property: Property): FieldKind {
  const types = [property.type ?? []].flat().filter((type) => type !== 'null')
  if (types.length !== 1) return 'json'
  const [type] = types
  return type === 'string' ? 'text' : type === 'number' || type === 'integer' || type === 'boolean' ? type : 'json'
}

/** The fields of an object schema's properties (none for no schema, or one without properties). */
export function inputFields(schema: Record<string, unknown> | null): InputField[] {
  const properties = (schema?.properties ?? {}) as Record<string, Property>
  const required = new Set((schema?.required as string[] | undefined) ?? [])
  return Object.entries(properties).map(([name, property]) => {
    const kind = kindOf(property)
    const choices = kind === 'text' && property.enum?.every((value) => typeof value === 'string') ? (property.enum as string[]) : undefined
    return { name, kind, required: required.has(name) && property.default === undefined, default: property.default, description: property.description, choices }
  })
}

/** The input that the fields' texts (by name; a checkbox's 'true' or 'false') make, or what is wrong with them. */
export function inputFromFields(fields: InputField[], values: Record<string, string>): { input: Record<string, unknown> } | { problem: string } {
  const input: Record<string, unknown> = {}
  for (const field of fields) {
    const text = (values[field.name] ?? '').trim()
    if (text === '') {
      if (field.required) return { problem: `${field.name} is required` }
      continue
    }
    if (field.kind === 'text') input[field.name] = values[field.name]
    else if (field.kind === 'boolean') input[field.name] = text === 'true'
    else if (field.kind === 'json') {
      try {
        input[field.name] = JSON.parse(text)
      } catch {
        return { problem: `${field.name} is not JSON` }
      }
    } else {
      const number = Number(text)
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) return { problem: `${field.name} must be ${field.kind === 'integer' ? 'a whole number' : 'a number'}` }
      input[field.name] = number
    }
  }
  return { input }
}
