import { ZipStream, type ZipEntry } from './zip-stream.js';

/**
 * A streaming XLSX workbook written straight to its ZIP: sheets of rows
 * whose XML the caller already has (SQLite builds an event's row, see
 * event-text.ts), strings inline (`t="str"`, no shared-strings table held in
 * memory), four cell styles, and a frozen header row. exceljs's
 * WorkbookWriter took ~100 s and ~600 MB for a million rows, nearly all of it
 * building a cell object per value; this writes text.
 */

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Cell style ids (the order of cellXfs in styles.xml). */
export const XLSX_STYLE = { plain: 0, date: 1, won: 2, header: 3, count: 4, percent: 5 } as const;
export const WON_FORMAT = '"₩"#,##0';
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLES = `${XML_HEAD}<styleSheet xmlns="${NS}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="${xmlText(WON_FORMAT)}"/><numFmt numFmtId="165" formatCode="${DATE_FORMAT}"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

/** A, B, …, Z, AA, … for a 0-based column. */
export function columnName(i: number): string {
  let name = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export interface SheetSpec {
  name: string;
  header: string[];
  widths: number[];
}

export class XlsxStream {
  private readonly zip: ZipStream;
  private readonly names: string[] = [];
  private sheet: ZipEntry | null = null;

  constructor(path: string) {
    this.zip = new ZipStream(path);
  }

  /** Ends the sheet being written (if any) and starts the next, its header row frozen. */
  async addSheet(spec: SheetSpec): Promise<void> {
    await this.endSheet();
    this.names.push(spec.name);
    this.sheet = await this.zip.entry(`xl/worksheets/sheet${this.names.length}.xml`);
    const cols = spec.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
    const header = spec.header.map((h, i) => `<c r="${columnName(i)}1" t="str" s="${XLSX_STYLE.header}"><v>${xmlText(h)}</v></c>`).join('');
    await this.sheet.write(
      `${XML_HEAD}<worksheet xmlns="${NS}" xmlns:r="${REL_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData><row r="1">${header}</row>`,
    );
  }

  /** Rows as `<row>…</row>` XML. */
  async rows(xml: string): Promise<void> {
    if (!this.sheet) throw new Error('xlsx: no sheet');
    await this.sheet.write(xml);
  }

  private async endSheet(): Promise<void> {
    if (!this.sheet) return;
    await this.sheet.write('</sheetData></worksheet>');
    await this.sheet.end();
    this.sheet = null;
  }

  async close(): Promise<void> {
    await this.endSheet();
    const sheets = this.names.map((n, i) => `<sheet name="${xmlText(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
    const files: [string, string][] = [
      [
        '[Content_Types].xml',
        `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${this.names
          .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
          .join('')}</Types>`,
      ],
      ['_rels/.rels', `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
      ['xl/workbook.xml', `${XML_HEAD}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>${sheets}</sheets></workbook>`],
      [
        'xl/_rels/workbook.xml.rels',
        `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${this.names
          .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
          .join('')}<Relationship Id="rId${this.names.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
      ],
      ['xl/styles.xml', STYLES],
    ];
    for (const [name, text] of files) {
      const e = await this.zip.entry(name);
      await e.write(text);
      await e.end();
    }
    await this.zip.close();
  }

  abort(): void {
    this.zip.abort();
  }
}
