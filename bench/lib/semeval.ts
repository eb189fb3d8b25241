/**
 * Reads the SemEval-2016 Task 3 (Qatar Living, English) XML files for
 * subtask B, question–question similarity. The data stays where it is
 * (shared/data, read-only): it is never copied into the repository.
 *
 * In these files every <OrgQuestion> element carries one <Thread>, so an
 * original question appears once per related question and is grouped here
 * by ORGQ_ID.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { XMLParser } from 'fast-xml-parser'

export type Relevance = 'PerfectMatch' | 'Relevant' | 'Irrelevant'

export type RelatedQuestion = {
  id: string
  /** The organisers' search-engine rank (1 = first), the baseline order. */
  rank: number
  subject: string
  body: string
  relevance: Relevance
  /** PerfectMatch and Relevant are both "relevant" at evaluation time. */
  relevant: boolean
  /**
   * The same forum question appears under several original questions: this is
   * the id of its first appearance in the release (possibly in another split),
   * or its own id. Used to index each distinct question once.
   */
  questionKey: string
  /** The thread's comments (RelCText), in order: the closest thing to a problem's workarounds. Their labels are not read. */
  comments: string[]
}

export type OriginalQuestion = {
  id: string
  subject: string
  body: string
  /** The ten candidates, in the search engine's order. */
  related: RelatedQuestion[]
}

export const SPLITS = {
  dev: 'SemEval2016-Task3-CQA-QL-dev.xml',
  train2: 'SemEval2016-Task3-CQA-QL-train-part2.xml',
} as const
export type Split = keyof typeof SPLITS

/** Where the data lives: SEMEVAL_DIR, or shared/data next to the work tree. */
export function semevalDirectory() {
  if (process.env.SEMEVAL_DIR) return process.env.SEMEVAL_DIR
  return path.resolve(process.cwd(), '..', 'shared', 'data', 'semeval2016-task3')
}

type RawRelQuestion = Record<string, unknown> & { RelQSubject?: unknown; RelQBody?: unknown }
type RawOrgQuestion = Record<string, unknown> & {
  OrgQSubject?: unknown
  OrgQBody?: unknown
  Thread?: ({ RelQuestion?: RawRelQuestion; RelComment?: { RelCText?: unknown }[] } & Record<string, unknown>)[]
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value)).trim()

/** Loads one split; throws with the path when the file is missing. */
export async function loadSplit(split: Split, directory = semevalDirectory()): Promise<OriginalQuestion[]> {
  const file = path.join(directory, SPLITS[split])
  let xml: string
  try {
    xml = await fs.readFile(file, 'utf8')
  } catch {
    throw new Error(`semeval: cannot read ${file}; set SEMEVAL_DIR to the folder holding the SemEval-2016 Task 3 XML files`)
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Subjects like "2012" or "Q8" must stay text.
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => name === 'OrgQuestion' || name === 'Thread' || name === 'RelComment',
  })
  const parsed = parser.parse(xml) as { xml?: { OrgQuestion?: RawOrgQuestion[] } }
  const elements = parsed.xml?.OrgQuestion ?? []
  const byId = new Map<string, OriginalQuestion>()
  for (const element of elements) {
    const id = text(element.ORGQ_ID)
    let question = byId.get(id)
    if (!question) {
      question = { id, subject: text(element.OrgQSubject), body: text(element.OrgQBody), related: [] }
      byId.set(id, question)
    }
    for (const thread of element.Thread ?? []) {
      const rel = thread.RelQuestion
      if (!rel) continue
      const relevance = text(rel.RELQ_RELEVANCE2ORGQ) as Relevance
      question.related.push({
        id: text(rel.RELQ_ID),
        rank: Number(rel.RELQ_RANKING_ORDER),
        subject: text(rel.RelQSubject),
        body: text(rel.RelQBody),
        relevance,
        relevant: relevance === 'PerfectMatch' || relevance === 'Relevant',
        questionKey: text(thread.SubtaskA_Skip_Because_Same_As_RelQuestion_ID) || text(rel.RELQ_ID),
        comments: (thread.RelComment ?? []).map((comment) => text(comment.RelCText)).filter(Boolean),
      })
    }
  }
  const questions = [...byId.values()]
  for (const question of questions) question.related.sort((a, b) => a.rank - b.rank)
  if (!questions.length) throw new Error(`semeval: no <OrgQuestion> found in ${file}`)
  return questions
}
