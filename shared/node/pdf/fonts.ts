import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface ReportFonts {
  regular: string;
  bold: string;
}

/**
 * Pretendard (SIL OFL) carries Korean into PDFs. The build copies it to
 * dist/fonts beside the bundles; from sources it is read from node_modules.
 */
export function findReportFonts(extraDirs: string[] = []): ReportFonts {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const dirs = [
    ...extraDirs,
    ...(process.env.ISSUANCE_FONT_DIR ? [process.env.ISSUANCE_FONT_DIR] : []),
    join(here, '..', 'fonts'),
    join(process.cwd(), 'dist', 'fonts'),
    join(process.cwd(), 'node_modules', 'pretendard', 'dist', 'public', 'static', 'alternative'),
  ];
  for (const dir of dirs) {
    const regular = join(dir, 'Pretendard-Regular.ttf');
    const bold = join(dir, 'Pretendard-Bold.ttf');
    if (existsSync(regular) && existsSync(bold)) return { regular, bold };
  }
  throw new Error(`report fonts not found in: ${dirs.join(', ')}`);
}
