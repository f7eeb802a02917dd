import { describe, expect, it } from 'vitest'
import { RecordRoomError } from '../src/errors.js'

describe('RecordRoomError', () => {
  it('carries the server code, details and status', () => {
    const e = RecordRoomError.fromWire({ code: 'invalid', message: 'bad', details: [{ path: '/title', message: 'required' }] }, 422)
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('RecordRoomError')
    expect(e.code).toBe('invalid')
    expect(e.details).toEqual([{ path: '/title', message: 'required' }])
    expect(e.status).toBe(422)
  })

  it('leaves out empty details', () => {
    const e = RecordRoomError.fromWire({ code: 'conflict', message: 'exists', details: [] })
    expect(e.details).toBeUndefined()
    expect(e.status).toBeUndefined()
  })
})
